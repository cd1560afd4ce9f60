/**
 * Child processes in tests (the built CLI, the daemon, node as another user): their output collected, their
 * end awaited with a limit. One place for it, so every such test waits for the same thing (issue #14 item 6).
 */
import type { ChildProcess } from 'node:child_process';

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Resolves with the exit status and all output once `child` has closed; kills it and rejects after
 * `timeoutMs`, naming `what` and quoting its stderr.
 */
export function finished(child: ChildProcess, what: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': under load the last output can arrive after the process has exited.
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Everything `child` writes to stdout and stderr so far, interleaved as it came, for a long-running child. */
export function output(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return () => out;
}

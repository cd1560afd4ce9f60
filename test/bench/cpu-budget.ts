/**
 * A Pi-class CPU budget for the bench (issue #18): a cgroup whose CFS quota is one eighth of one core
 * (1.25 ms in every 10 ms), roughly what a Raspberry Pi Zero 2 W gives a single-threaded start-up.
 * An emulation, not a Pi: memory and I/O stay this machine's.
 *
 * The bench creates the group itself rather than calling a script that lives outside the repository,
 * so `npm run bench` measures the same way from any clone (CI included). It needs root and a writable
 * cgroup cpu controller (v1 or v2); elsewhere `openCpuBudget` says why not and the section is skipped.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The same eighth in every 10 ms, not the kernel's default 100 ms period: a process gets CPU in slices of
 * the quota, so a run's wall time comes in whole periods. At 100 ms a bare node was 8 periods and a ratio
 * could only move in steps of 0.125, one step being the whole margin of a 1.25 goal (issue #18). A Pi
 * runs on without such pauses; at 10 ms the step is some 1 %.
 */
const PERIOD_US = 10_000;
let groups = 0;

export interface CpuBudget {
  /** What the budget is, for the table's heading. */
  readonly describe: string;
  /** Starts `command` inside the group: it joins before it execs, so none of it runs outside. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Removes the group; its processes must have exited. */
  close(): void;
}

/** A new group, or the reason there can be none here. */
export function openCpuBudget(percent = 12.5): CpuBudget | { skipped: string } {
  if (process.getuid?.() !== 0) return { skipped: 'not root: a cgroup CPU quota needs root' };
  const quotaUs = Math.max(1000, Math.floor((PERIOD_US * percent) / 100));
  const name = `pairing-agent-bench-${process.pid}-${groups++}`;
  let dir: string;
  let procs: string;
  try {
    if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
      // cgroup v1
      dir = join('/sys/fs/cgroup/cpu', name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      procs = join(dir, 'tasks');
    } else if (existsSync('/sys/fs/cgroup/cgroup.controllers') && /\bcpu\b/.test(readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8'))) {
      // cgroup v2
      try {
        writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpu');
      } catch {
        // Already enabled, or not ours to enable: mkdir below tells.
      }
      dir = join('/sys/fs/cgroup', name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`);
      procs = join(dir, 'cgroup.procs');
    } else {
      return { skipped: 'no cgroup cpu controller here' };
    }
  } catch (error) {
    return { skipped: `cannot create a cgroup with a CPU quota (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  return {
    describe: `${percent} % of one core (a CFS quota of ${quotaUs / 1000} ms in every ${PERIOD_US / 1000} ms)`,
    spawn: (command, args, options = {}) =>
      spawn('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', procs, command, ...args], options),
    close: () => {
      try {
        rmdirSync(dir);
      } catch {
        // A process still in it (a failed run): the kernel frees the group once it is empty and gone.
      }
    },
  };
}

/**
 * The command's output goes to fd 1 with writeSync (src/cli/write-out.ts, issue #18). A descriptor
 * another process left non-blocking answers EAGAIN once its pipe is full: all of the output must still
 * arrive, in order. A real FIFO, opened non-blocking, with a reader that starts late.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeAll } from '../../src/cli/write-out.js';

it('writes everything to a non-blocking pipe whose reader is slow (EAGAIN is waited out)', async () => {
  const fifo = join(mkdtempSync(join(tmpdir(), 'pa-write-out-')), 'out');
  execFileSync('mkfifo', [fifo]);
  // O_RDWR: on Linux opening a FIFO so never waits for a reader; O_NONBLOCK: a full pipe says EAGAIN.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const data = randomBytes(1 << 20); // sixteen times a pipe's 64 KiB
  const reader = spawn(process.execPath, ['-e', `
    setTimeout(() => {
      const chunks = [];
      const stream = require('node:fs').createReadStream(${JSON.stringify(fifo)});
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const all = Buffer.concat(chunks);
        console.log(all.length + ' ' + require('node:crypto').createHash('sha256').update(all).digest('hex'));
      });
    }, 300);
  `]);
  let out = '';
  reader.stdout.on('data', (c: Buffer) => (out += c.toString()));
  writeAll(fd, data);
  // The last writer gone: the reader sees the end (we held the only write end).
  closeSync(fd);
  await new Promise((resolve) => reader.on('close', resolve));
  expect(out.trim()).toBe(`${data.length} ${createHash('sha256').update(data).digest('hex')}`);
}, 30_000);

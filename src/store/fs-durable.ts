/**
 * The durability step conf leaves out: after its atomic rename, fsync the directory so the rename
 * itself survives a power cut (fsync(2); LWN "Ensuring data reaches disk"; NOTES.md "conf").
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRegularFile } from './read-regular-file.js';

test('a FIFO, /dev/zero, a directory and a file over the limit fail at once, naming the path and the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'read-regular-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const big = join(dir, 'big');
  await writeFile(big, Buffer.alloc(2048, 'a'));
  await assert.rejects(readRegularFile(fifo, 1024), { message: `${fifo} is not a regular file (a FIFO)` });
  await assert.rejects(readRegularFile('/dev/zero', 1024), { message: '/dev/zero is not a regular file (a character device)' });
  await assert.rejects(readRegularFile(dir, 1024), { message: `${dir} is not a regular file (a directory)` });
  await assert.rejects(readRegularFile(big, 1024), { message: `${big} is 2048 bytes; the limit is 1024 bytes` });
  assert.equal((await readRegularFile(big, 2048)).length, 2048);
  await assert.rejects(readRegularFile(join(dir, 'missing'), 1024), { code: 'ENOENT' });
});

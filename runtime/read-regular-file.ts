// Reading a file named in configuration (the config file itself, certificates, keys, CA bundles) with
// bounds: only a regular file, only up to `maxBytes`. A path that names a FIFO would block the read
// forever, /dev/zero would fill memory, a huge file would be parsed for minutes; each fails at once with
// the path and the limit instead. The file is opened non-blocking (a FIFO without a writer opens at once),
// checked through the open handle (no race between the check and the read), then read up to the limit.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Limit for the configuration file and for each PEM file (certificate, key, CA bundle). */
export const maxConfigFileBytes = 1024 * 1024;
export const maxPemFileBytes = 1024 * 1024;

export class FileLimitError extends Error {
  override readonly name = 'FileLimitError';
}

export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileLimitError(`${path} is not a regular file (${fileKind(info)})`);
    if (info.size > maxBytes) throw new FileLimitError(`${path} is ${info.size} bytes; the limit is ${maxBytes} bytes`);
    // Read one byte past the limit: a file that grows after the stat is still caught.
    const buf = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, size, buf.length - size, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new FileLimitError(`${path} is larger than the limit of ${maxBytes} bytes`);
    }
    return buf.subarray(0, size);
  } finally {
    await handle.close();
  }
}

function fileKind(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

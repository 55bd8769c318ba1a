import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTlsFiles } from './tls-files.js';

test('reads certificate, key and CA; an unreadable file is named, with the OS error as the cause', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tls-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cert.pem'), 'C');
  await writeFile(join(dir, 'key.pem'), 'K');
  await writeFile(join(dir, 'ca.pem'), 'A');
  const paths = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
  assert.deepEqual(await readTlsFiles(paths), { cert: Buffer.from('C'), key: Buffer.from('K') });
  assert.deepEqual(await readTlsFiles({ ...paths, caPath: join(dir, 'ca.pem') }), { cert: Buffer.from('C'), key: Buffer.from('K'), ca: Buffer.from('A') });

  const missingKey = join(dir, 'none.pem');
  await assert.rejects(readTlsFiles({ ...paths, keyPath: missingKey }), (err: Error) => {
    assert.equal(err.message, `read private key ${missingKey}`);
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
    return true;
  });
  await assert.rejects(readTlsFiles({ ...paths, caPath: missingKey }), { message: `read CA certificate ${missingKey}` });
});

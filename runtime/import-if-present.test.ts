import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { importIfPresent } from './import-if-present.js';

test('a present module is imported; a missing one is undefined; a broken one still throws', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'import-if-present-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'present.mjs'), 'export const answer = 42;\n');
  await writeFile(join(dir, 'broken.mjs'), "import './not-there.mjs';\nexport const x = 1;\n");
  const base = pathToFileURL(`${dir}/`);
  assert.equal((await importIfPresent<{ answer: number }>(new URL('present.mjs', base)))?.answer, 42);
  assert.equal(await importIfPresent(new URL('absent.mjs', base)), undefined);
  await assert.rejects(importIfPresent(new URL('broken.mjs', base)), /not-there\.mjs/);
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

test('loads a file and names it in problems and warnings', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'load-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'registrar.conf');
  await writeFile(path, 'trust_domain = "example.org"\ncluster = "c"\nserver_socket_path = "/s"\nclustr = "x"\n');
  const { config, warnings } = await loadConfig(path);
  assert.equal(config.cluster, 'c');
  assert.deepEqual(warnings, [`${path}:4: unknown configuration key "clustr" (did you mean "cluster"?); it is ignored`]);
});

test('a missing file is reported with the original wording', async () => {
  await assert.rejects(loadConfig('/nonexistent/registrar.conf'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] as string, /^unable to load configuration: ENOENT: .*\/nonexistent\/registrar\.conf/);
    return true;
  });
});

test('ConfigError carries every problem in its message', () => {
  assert.equal(new ConfigError(['a']).message, 'a');
  assert.equal(new ConfigError(['a', 'b']).message, '2 configuration problems:\na\nb');
});

// Black-box: the binary's command dispatch, help, version, and the default (run) command's refusals.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './cli-harness.js';

test('help, -h and --help print the usage listing every command, exit 0', async () => {
  for (const arg of ['help', '-h', '--help']) {
    const r = await cli([arg]);
    assert.equal(r.code, 0, arg);
    for (const command of ['validate', 'entry show', 'dev-server', 'sandbox', 'version']) {
      assert.ok(r.stdout.includes(`k8s-workload-registrar ${command}`), `${arg}: ${command}`);
    }
  }
});

test('version prints the package version', async () => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = await cli(['version']);
  assert.deepEqual(r, { code: 0, stdout: `k8s-workload-registrar ${pkg.version}\n`, stderr: '' });
});

test('an unknown command prints the usage, exit 2', async () => {
  const r = await cli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^k8s-workload-registrar: unknown command "frobnicate"\nUsage:/);
});

test('run (no command) with an unusable configuration prints every problem and exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cli-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'registrar.conf');
  await writeFile(path, 'mode = "informer"\n');
  const r = await cli(['-config', path]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    `error: ${path}:1: invalid mode "informer", valid values are crd, webhook and reconcile`,
    `error: ${path}: server_address or server_socket_path must be specified`,
    `error: ${path}: trust_domain must be specified`,
    `error: ${path}: cluster must be specified`,
  ]);
});

test('run with an undefined flag prints a Go-style flag error, exit 2', async () => {
  const r = await cli(['-confg', 'x.conf']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^flag provided but not defined: -confg\n/);
});

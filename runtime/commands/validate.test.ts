import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { run } from './validate.js';

async function configFile(t: TestContext, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'validate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'registrar.conf');
  await writeFile(path, text);
  return path;
}

async function validate(argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await run(argv, { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } });
  return { code, ...out };
}

const GOOD = 'trust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/s.sock"\nmode = "crd"\npod_annotation = "spiffe.io/spiffe-id"\n';

test('prints the effective configuration as HCL with a header, exit 0', async (t) => {
  const path = await configFile(t, GOOD);
  const r = await validate(['-config', path]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], `# Effective configuration of ${path} (defaults filled in)`);
  assert.ok(lines.includes('mode = "crd"'));
  assert.ok(lines.includes('dns_name_templates = ["{{.Pod.Name}}"]'));
  assert.ok(lines.includes('webhook_port = 9443'));
});

test('-json prints the RegistrarConfig object', async (t) => {
  const path = await configFile(t, GOOD);
  const r = await validate([`-config=${path}`, '-json']);
  assert.equal(r.code, 0);
  const config = JSON.parse(r.stdout);
  assert.equal(config.podAnnotation, 'spiffe.io/spiffe-id');
  assert.equal(config.resyncIntervalMs, 10_000);
});

test('warnings go to stderr and do not fail validation', async (t) => {
  const path = await configFile(t, `${GOOD}webhook_enabeld = true\n`);
  const r = await validate(['--config', path]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `warning: ${path}:6: unknown configuration key "webhook_enabeld" (did you mean "webhook_enabled"?); it is ignored\n`);
});

test('every problem is printed, exit 1, nothing on stdout', async (t) => {
  const path = await configFile(t, 'mode = "crd"\nwebhook_port = "x"\npod_label = "a"\npod_annotation = "b"\n');
  const r = await validate(['-config', path]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    `error: ${path}:2: webhook_port: expected a whole number, got string "x"`,
    `error: ${path}:4: workload registration mode specification is incorrect, can't specify both pod_label and pod_annotation`,
    `error: ${path}: server_address or server_socket_path must be specified`,
    `error: ${path}: trust_domain must be specified`,
    `error: ${path}: cluster must be specified`,
  ]);
});

test('flag errors exit 2; -h prints usage and exits 0', async () => {
  const bad = await validate(['-config']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^flag needs an argument: -config\nUsage: k8s-workload-registrar validate/);
  const help = await validate(['-h']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: k8s-workload-registrar validate \[-config <path>\] \[-json\]/);
});

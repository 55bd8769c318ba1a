// Hostile configuration files: each fails fast with the path (or file:line) and what is wrong, and
// `validate` (loadConfig + parseConfig) reports what start-up would otherwise fail on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';

const minimal = 'trust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/spire-server/private/api.sock"\n';

async function problemsOf(text: string): Promise<readonly string[]> {
  try {
    await parseConfig(text, 'k.conf');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('a FIFO, /dev/zero, NUL bytes and a 2 MiB file as the config fail at once with the path and the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo.conf');
  execFileSync('mkfifo', [fifo]);
  const nul = join(dir, 'nul.conf');
  await writeFile(nul, Buffer.alloc(1024 * 1024));
  const big = join(dir, 'big.conf');
  await writeFile(big, `${minimal}${'#'.repeat(2 * 1024 * 1024)}\n`);
  const cases: [string, string][] = [
    [fifo, `unable to load configuration: ${fifo} is not a regular file (a FIFO)`],
    ['/dev/zero', 'unable to load configuration: /dev/zero is not a regular file (a character device)'],
    [nul, `unable to load configuration: ${nul} contains NUL bytes; a configuration file is text`],
    [big, `unable to load configuration: ${big} is ${2 * 1024 * 1024 + minimal.length + 1} bytes; the limit is 1048576 bytes`],
  ];
  for (const [path, message] of cases) await assert.rejects(loadConfig(path), { message });
});

test('thousands of unknown keys: the first 20 are named, the rest counted, in one pass', async () => {
  const keys = Array.from({ length: 5000 }, (_, i) => `unknown_key_number_${i} = "x"`).join('\n');
  const { warnings } = await parseConfig(`${minimal}${keys}\n${'k'.repeat(10_000)} = "x"\n`, 'k.conf');
  assert.equal(warnings.length, 21);
  assert.equal(warnings[0], 'k.conf:4: unknown configuration key "unknown_key_number_0"; it is ignored');
  assert.equal(warnings[20], 'k.conf: 4981 more unknown configuration keys are ignored');
});

test('names are strings: trust_domain = 1 and cluster = true are type errors, not coerced (differs from the original)', async () => {
  assert.deepEqual(await problemsOf('trust_domain = 1\ncluster = true\nserver_socket_path = "/s"\n'), [
    'k.conf:1: trust_domain: expected a string (in double quotes), got number 1',
    'k.conf:2: cluster: expected a string (in double quotes), got bool true',
    'k.conf: trust_domain must be specified',
    'k.conf: cluster must be specified',
  ]);
});

test('a trust domain longer than 255 characters is refused', async () => {
  assert.deepEqual(await problemsOf(minimal.replace('example.org', 'a'.repeat(300))), [
    'k.conf:1: trust_domain: is 300 characters long; a trust domain has at most 255',
  ]);
});

test('listen addresses validate as start-up would bind them', async () => {
  const cases: [string, string][] = [
    ['addr = ":99999"', 'k.conf:4: addr: invalid listen address ":99999": want [host]:port, e.g. ":8080", or "0" to disable'],
    ['addr = "evil.example:443"', 'k.conf:4: addr: "evil.example:443" names the host "evil.example"; a listen address takes an IP address of this machine, "localhost" or no host (":443")'],
    ['addr = "0"', 'k.conf:4: addr: "0" turns the listener off, but this one is required'],
    ['mode = "crd"\nmetrics_bind_addr = 8080', 'k.conf:5: metrics_bind_addr: invalid listen address "8080": want [host]:port, e.g. ":8080", or "0" to disable'],
    ['mode = "reconcile"\nmetrics_addr = "metrics.example:8080"', 'k.conf:5: metrics_addr: "metrics.example:8080" names the host "metrics.example"; a listen address takes an IP address of this machine, "localhost" or no host (":8080")'],
  ];
  for (const [line, problem] of cases) assert.deepEqual(await problemsOf(`${minimal}${line}\n`), [problem], line);
  for (const ok of ['addr = ":8443"', 'addr = "127.0.0.1:0"', 'addr = "[::1]:8443"', 'addr = "localhost:8443"', 'health_addr = "0"']) {
    assert.deepEqual(await problemsOf(`${minimal}${ok}\n`), [], ok);
  }
});

test('a directory as log_path is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.deepEqual(await problemsOf(`${minimal}log_path = "${dir}"\n`), [`k.conf:4: log_path: "${dir}" is a directory; it must name a file`]);
  assert.deepEqual(await problemsOf(`${minimal}log_path = "${join(dir, 'registrar.log')}"\n`), []);
});

test('crd mode: a cluster name that makes entry IDs longer than SPIRE\'s 255 characters is refused (195 is the longest)', async () => {
  const crd = (cluster: string) => `mode = "crd"\n${minimal.replace('k8stest', cluster)}`;
  // k8s-workload-registrar.<cluster>.<36-character UID>: 23 + 195 + 1 + 36 = 255.
  assert.deepEqual(await problemsOf(crd('c'.repeat(195))), []);
  assert.deepEqual(await problemsOf(crd('c'.repeat(196))), [
    'k.conf:3: cluster: is 196 characters long; crd mode names entries k8s-workload-registrar.<cluster>.<SpiffeID UID>, which would be 256 characters, and SPIRE accepts at most 255 (use at most 195)',
  ]);
  // Reconcile and webhook modes put no entry IDs together: the name is only checked there as before.
  assert.deepEqual(await problemsOf(`mode = "reconcile"\n${minimal.replace('k8stest', 'c'.repeat(196))}`), []);
});

test('crd mode: a cluster name with characters an entry ID cannot hold is accepted with a warning naming the prefix it shares', async () => {
  const { warnings } = await parseConfig(`mode = "crd"\n${minimal.replace('k8stest', 'eu west')}`, 'k.conf');
  assert.deepEqual(warnings, [
    'k.conf:3: cluster: "eu west" holds characters a SPIRE entry ID cannot; its entries are named k8s-workload-registrar.eu_west.<UID>, as a cluster named "eu_west" would name them: two such clusters must not share a SPIRE server',
  ]);
  assert.deepEqual((await parseConfig(`mode = "crd"\n${minimal.replace('k8stest', 'eu_west')}`, 'k.conf')).warnings, []);
});

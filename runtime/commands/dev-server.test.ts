import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectSpire } from '../../adapters/spire/connect.js';
import { run } from './dev-server.js';

function collector() {
  const lines: string[] = [];
  let waiters: (() => void)[] = [];
  return {
    io: { write: (t: string) => { lines.push(t); waiters.forEach((w) => w()); waiters = []; } },
    text: () => lines.join(''),
    until: async (re: RegExp) => { while (!re.test(lines.join(''))) await new Promise<void>((r) => waiters.push(r)); },
  };
}

test('serves until stopped, seeded from and dumped to JSON files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-server-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = join(dir, 'seed.json');
  const dump = join(dir, 'dump.json');
  await writeFile(seed, JSON.stringify({ entries: [{ spiffeId: 'spiffe://example.org/seeded', parentId: 'spiffe://example.org/n', selectors: [{ type: 'k8s', value: 'ns:a' }] }] }));
  const out = collector();
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const socket = join(dir, 'api.sock');
  const done = run(['-socketPath', socket, '-seed', seed, '-dump', dump], { stdout: out.io, stderr: out.io }, stopped);
  await out.until(/listening/);
  assert.match(out.text(), /^in-memory SPIRE server listening on unix:\/\/.*api\.sock \(trust domain example\.org, 1 entries\)$/m);
  const client = await connectSpire({ serverAddress: `unix://${socket}`, trustDomain: 'example.org' });
  await client.entries.createEntries([{ ...(await client.entries.listEntries())[0]!, id: '', spiffeId: 'spiffe://example.org/added' }]);
  await client.close();
  stop();
  assert.equal(await done, 0);
  const dumped = JSON.parse(await readFile(dump, 'utf8')) as { entries: { spiffeId: string }[] };
  assert.deepEqual(dumped.entries.map((e) => e.spiffeId), ['spiffe://example.org/seeded', 'spiffe://example.org/added']);
  assert.match(out.text(), /stopped; wrote 2 entries to .*dump\.json/);
});

test('-socketPath is required; a bad seed file exits 1', async (t) => {
  const out = collector();
  assert.equal(await run([], { stdout: out.io, stderr: out.io }, Promise.resolve()), 2);
  assert.match(out.text(), /-socketPath is required/);
  const dir = await mkdtemp(join(tmpdir(), 'dev-server-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const err = collector();
  assert.equal(await run(['-socketPath', join(dir, 'a.sock'), '-seed', join(dir, 'missing.json')], { stdout: err.io, stderr: err.io }, Promise.resolve()), 1);
  assert.match(err.text(), /^Error: read seed file .*missing\.json/);
});

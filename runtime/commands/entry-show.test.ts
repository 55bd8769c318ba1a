import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { aMemorySpire, aWorkloadEntry, type SpireFixture } from '../../test/fixtures/spire.js';
import { run } from './entry-show.js';

let spire: SpireFixture;
let ids: string[] = [];

before(async () => {
  spire = await aMemorySpire();
  const results = await spire.server.entryStore.createEntries([
    aWorkloadEntry('web', { selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'sa:web' }], dnsNames: ['web.default.svc'] }),
    aWorkloadEntry('db', { selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'sa:db' }], parentId: 'spiffe://example.org/node/n2' }),
  ]);
  ids = results.map((r) => r.entry?.id as string);
});
after(async () => spire?.close());

async function show(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['-socketPath', spire.server.socketPath, ...argv], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
  return { code, out, err };
}

test('lists every entry in spire-server layout, sorted by SPIFFE ID', async () => {
  const r = await show();
  assert.equal(r.code, 0);
  assert.ok(r.out.startsWith('Found 2 entries\nEntry ID                : '));
  assert.deepEqual([...r.out.matchAll(/^SPIFFE ID +: (\S+)$/gm)].map((m) => m[1]), ['spiffe://example.org/w/db', 'spiffe://example.org/w/web']);
  assert.match(r.out, /^DNS name                : web\.default\.svc$/m);
});

test('-selector matches superset by default; -matchSelectorsOn exact narrows', async () => {
  assert.match((await show('-selector', 'k8s:ns:default')).out, /^Found 2 entries$/m);
  assert.match((await show('-selector', 'k8s:ns:default', '-matchSelectorsOn', 'exact')).out, /^Found 0 entries$/m);
  const one = await show('-selector', 'k8s:ns:default', '-selector', 'k8s:sa:web', '-matchSelectorsOn=exact');
  assert.match(one.out, /^Found 1 entry\n/);
});

test('-spiffeID and -parentID filter; -entryID fetches one entry', async () => {
  assert.match((await show('-spiffeID', 'spiffe://example.org/w/db')).out, /^Found 1 entry\n/);
  assert.match((await show('-parentID', 'spiffe://example.org/node/n2')).out, /SPIFFE ID +: spiffe:\/\/example\.org\/w\/db/);
  const byId = await show('-entryID', ids[0] as string);
  assert.match(byId.out, new RegExp(`^Found 1 entry\\nEntry ID +: ${ids[0]}$`, 'm'));
});

test('an unknown -entryID prints the spire-server error and exits 1', async () => {
  const r = await show('-entryID', 'nope');
  assert.equal(r.code, 1);
  assert.equal(r.err, 'Error: error fetching entry ID nope: rpc error: code = NotFound desc = entry not found\n');
  assert.equal(r.out, '');
});

test('a server-side filter error is reported with its gRPC code', async () => {
  const r = await show('-spiffeID', 'spiffe://other.test/x');
  assert.equal(r.code, 1);
  assert.match(r.err, /^Error: error fetching entries: rpc error: code = InvalidArgument desc = malformed SPIFFE ID filter: /);
});

test('bad flags exit 2 with usage', async () => {
  for (const argv of [['-selector', 'nocolon'], ['-matchSelectorsOn', 'some'], ['-spiffeID', 'http://x'], ['-bogus']]) {
    const r = await show(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, /Usage: k8s-workload-registrar entry show/);
  }
});

test('a socket with no server behind it fails with Unavailable', async () => {
  let err = '';
  const code = await run(['-socketPath', join(spire.dir, 'missing.sock')], { stdout: { write: () => undefined }, stderr: { write: (t: string) => (err += t) } });
  assert.equal(code, 1);
  assert.match(err, /^Error: error fetching entries: rpc error: code = Unavailable desc = /);
});

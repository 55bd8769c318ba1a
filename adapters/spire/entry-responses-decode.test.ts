// The direct ListEntries decoder against the path it replaced: the same bytes through @grpc/proto-loader's
// deserializer and entryFromWire must give the same entries, field for field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Entry } from '../../handlers/entries/entry.js';
import type { EntryResult } from '../entry-store.js';
import { entryFromWire, entryResultFromWire } from './entry-convert.js';
import { decodeBatchEntryResponse, decodeListEntriesResponse } from './entry-responses-decode.js';
import { serviceDefinition } from './protos.js';
import type { BatchEntryResponse, ListEntriesResponse } from './wire-types.js';
import { seededRandom } from '../../test/fixtures/seeded-random.js';

const listEntries = serviceDefinition('spire.api.server.entry.v1.Entry').ListEntries;
assert.ok(listEntries);
const method = listEntries;

function encode(res: object): Buffer {
  return method.responseSerialize(res);
}

function oldPath(bytes: Buffer): { entries: Entry[]; nextPageToken: string } {
  const res = method.responseDeserialize(bytes) as ListEntriesResponse;
  return { entries: res.entries.map(entryFromWire), nextPageToken: res.next_page_token };
}

/** Deterministic (seeded) so that a failure reproduces. */

const words = ['', 'a', 'example.org', '/ns/default/sa/web', 'k8s', 'pod-uid:0a1b', 'naïve-ü', '日本', '🙂x', 'x'.repeat(300)];

function randomWireEntry(rand: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const maybe = (p: number) => rand() < p;
  const int32 = () => pick([0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31), 3600]);
  const int64 = () => pick([0, 1, -1, 300, 1_700_000_000, 2 ** 40 + 7, -(2 ** 40), 2 ** 53 - 1, -(2 ** 53 - 1)]);
  const list = <T>(make: () => T) => Array.from({ length: Math.floor(rand() * 4) }, make);
  const e: Record<string, unknown> = {};
  if (maybe(0.9)) e.id = pick(words);
  if (maybe(0.9)) e.spiffe_id = { trust_domain: pick(words), path: pick(words) };
  if (maybe(0.9)) e.parent_id = maybe(0.2) ? {} : { trust_domain: pick(words), path: pick(words) };
  e.selectors = list(() => (maybe(0.1) ? {} : { type: pick(words), value: pick(words) }));
  if (maybe(0.5)) e.x509_svid_ttl = int32();
  e.federates_with = list(() => pick(words));
  if (maybe(0.5)) e.admin = maybe(0.5);
  if (maybe(0.5)) e.downstream = maybe(0.5);
  if (maybe(0.5)) e.expires_at = int64();
  e.dns_names = list(() => pick(words));
  if (maybe(0.5)) e.revision_number = int64();
  if (maybe(0.5)) e.store_svid = maybe(0.5);
  if (maybe(0.5)) e.jwt_svid_ttl = int32();
  if (maybe(0.5)) e.hint = pick(words);
  if (maybe(0.5)) e.created_at = int64();
  if (maybe(0.4)) e.additional_attributes = maybe(0.3) ? {} : { disable_x509_svid_prefetch: maybe(0.5), jwt_svid_include_jti: maybe(0.5) };
  return e;
}

test('random pages decode to the same entries as proto-loader + entryFromWire', () => {
  const rand = seededRandom(14);
  for (let round = 0; round < 300; round++) {
    const res = { entries: Array.from({ length: Math.floor(rand() * 6) }, () => randomWireEntry(rand)), next_page_token: rand() < 0.5 ? '' : `tok-${round}` };
    const bytes = encode(res);
    assert.deepEqual(decodeListEntriesResponse(bytes), oldPath(bytes), `round ${round}: ${JSON.stringify(res)}`);
  }
});

test('a full entry: every field the registrar uses', () => {
  const bytes = encode({
    entries: [{
      id: 'e1', spiffe_id: { trust_domain: 'example.org', path: '/ns/default/sa/web' },
      parent_id: { trust_domain: 'example.org', path: '/k8s-workload-registrar/demo/node/n1' },
      selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'pod-name:web-0' }],
      x509_svid_ttl: 60, federates_with: ['other.org'], admin: true, downstream: true, expires_at: 99,
      dns_names: ['web-0'], revision_number: 3, store_svid: true, jwt_svid_ttl: 30, hint: 'h', created_at: 1_700_000_000,
      additional_attributes: { disable_x509_svid_prefetch: true },
    }],
    next_page_token: 'next',
  });
  assert.deepEqual(decodeListEntriesResponse(bytes), {
    entries: [{
      id: 'e1', spiffeId: 'spiffe://example.org/ns/default/sa/web', parentId: 'spiffe://example.org/k8s-workload-registrar/demo/node/n1',
      selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'pod-name:web-0' }],
      x509SvidTtl: 60, jwtSvidTtl: 30, federatesWith: ['other.org'], admin: true, downstream: true, expiresAt: 99,
      dnsNames: ['web-0'], revisionNumber: 3, storeSvid: true, hint: 'h', createdAt: 1_700_000_000,
      additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: false },
    }],
    nextPageToken: 'next',
  });
});

test('hand-made bytes: absent fields are zero values, absent IDs are "" and an empty SPIFFEID is "spiffe://"', () => {
  // entries { id: "a"  revision_number: 2  parent_id {} }
  const bytes = Buffer.from([0x0a, 0x07, 0x0a, 0x01, 0x61, 0x58, 0x02, 0x1a, 0x00]);
  const page = decodeListEntriesResponse(bytes);
  assert.deepEqual(page, oldPath(bytes));
  assert.equal(page.entries[0]?.spiffeId, '');
  assert.equal(page.entries[0]?.parentId, 'spiffe://');
  assert.equal(page.entries[0]?.revisionNumber, 2);
  assert.equal('additionalAttributes' in (page.entries[0] as Entry), false);
  assert.deepEqual(decodeListEntriesResponse(Buffer.alloc(0)), { entries: [], nextPageToken: '' });
});

test('unknown fields of every wire type are skipped, in the response, an entry and a nested message', () => {
  const unknown = [
    0xc8, 0x06, 0x96, 0x01, // field 105 varint 150
    0xc9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, // field 105 fixed64
    0xca, 0x06, 0x02, 0x68, 0x69, // field 105 length-delimited "hi"
    0xcd, 0x06, 1, 2, 3, 4, // field 105 fixed32
  ];
  // SPIFFEID { trust_domain: "t" <unknown> path: "/p" }
  const sid = [0x0a, 0x01, 0x74, ...unknown, 0x12, 0x02, 0x2f, 0x70];
  const entry = [0x0a, 0x01, 0x61, ...unknown, 0x12, sid.length, ...sid, 0x28, 0x05];
  const bytes = Buffer.from([...unknown, 0x0a, entry.length, ...entry, ...unknown, 0x12, 0x01, 0x7a]);
  const page = decodeListEntriesResponse(bytes);
  assert.deepEqual(page, oldPath(bytes));
  assert.equal(page.entries[0]?.spiffeId, 'spiffe://t/p');
  assert.equal(page.entries[0]?.x509SvidTtl, 5);
  assert.equal(page.nextPageToken, 'z');
});

test('a truncated response is an error, not a short page', () => {
  const bytes = encode({ entries: [{ id: 'abc', spiffe_id: { trust_domain: 't', path: '/p' } }], next_page_token: 'n' });
  const entryEnd = 2 + 14; // tag, length, then the 14-byte entry: cutting there leaves a valid, shorter message
  for (let cut = 1; cut < bytes.length; cut++) {
    const prefix = bytes.subarray(0, cut);
    if (cut === entryEnd) assert.deepEqual(decodeListEntriesResponse(prefix), oldPath(prefix));
    else assert.throws(() => decodeListEntriesResponse(prefix), RangeError, `cut at ${cut}`);
  }
  // Stricter than protobufjs, which cuts a string short at the end of the buffer: a page token read as
  // "" would end the listing early.
  const noToken = bytes.subarray(0, bytes.length - 1);
  assert.equal(oldPath(noToken).nextPageToken, '');
  assert.throws(() => decodeListEntriesResponse(noToken), RangeError);
});

test('strings many entries repeat (parent IDs, selectors) come out equal across pages', () => {
  const page = (id: string) => encode({ entries: [{ id, parent_id: { trust_domain: 'td', path: '/node/n1' }, selectors: [{ type: 'k8s', value: 'ns:a' }] }] });
  const [a, b] = [decodeListEntriesResponse(page('1')).entries[0], decodeListEntriesResponse(page('2')).entries[0]];
  assert.equal(a?.parentId, 'spiffe://td/node/n1');
  assert.equal(a?.parentId, b?.parentId);
  assert.deepEqual(a?.selectors, b?.selectors);
});

test('BatchCreateEntry and BatchUpdateEntry results decode as proto-loader + entryResultFromWire did', () => {
  const rand = seededRandom(15);
  for (const name of ['BatchCreateEntry', 'BatchUpdateEntry'] as const) {
    const m = serviceDefinition('spire.api.server.entry.v1.Entry')[name];
    assert.ok(m);
    for (let round = 0; round < 200; round++) {
      const results = Array.from({ length: Math.floor(rand() * 5) }, () => {
        const r: Record<string, unknown> = {};
        if (rand() < 0.9) r.status = rand() < 0.2 ? {} : { code: Math.floor(rand() * 17), message: rand() < 0.5 ? '' : 'similar entry already exists' };
        if (rand() < 0.7) r.entry = randomWireEntry(rand);
        return r;
      });
      const bytes: Buffer = m.responseSerialize({ results });
      const old: EntryResult[] = (m.responseDeserialize(bytes) as BatchEntryResponse).results.map(entryResultFromWire);
      assert.deepEqual(decodeBatchEntryResponse(bytes), { results: old }, `${name} round ${round}: ${JSON.stringify(results)}`);
    }
  }
  // A result without a status is UNKNOWN, never OK; unknown fields are skipped.
  const bytes = Buffer.from([0x0a, 0x07, 0x12, 0x03, 0x0a, 0x01, 0x61, 0x18, 0x01, 0x18, 0x05]);
  assert.deepEqual(decodeBatchEntryResponse(bytes).results[0]?.status, { code: 2, message: 'result without status' });
  assert.equal(decodeBatchEntryResponse(bytes).results[0]?.entry?.id, 'a');
});

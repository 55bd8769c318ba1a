// The wire contract: only field numbers and wire types reach SPIRE, so check the bytes our .proto subset
// produces against hand-derived encodings (tag byte = field number << 3 | wire type; 0 varint, 2 length).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ServiceName, serviceDefinition } from './protos.js';

function encodeRequest(service: ServiceName, method: string, message: object): number[] {
  const m = serviceDefinition(service)[method];
  assert.ok(m, `${service}/${method}`);
  return [...m.requestSerialize(message)];
}

function encodeResponse(service: ServiceName, method: string, message: object): number[] {
  const m = serviceDefinition(service)[method];
  assert.ok(m, `${service}/${method}`);
  return [...m.responseSerialize(message)];
}

const entrySvc = 'spire.api.server.entry.v1.Entry' as const;
const entry = (e: object) => encodeResponse(entrySvc, 'GetEntry', e);

test('method paths are the upstream ones', () => {
  assert.equal(serviceDefinition(entrySvc).ListEntries?.path, '/spire.api.server.entry.v1.Entry/ListEntries');
  assert.equal(serviceDefinition(entrySvc).BatchCreateEntry?.path, '/spire.api.server.entry.v1.Entry/BatchCreateEntry');
  assert.equal(serviceDefinition('spire.api.server.svid.v1.SVID').MintX509SVID?.path, '/spire.api.server.svid.v1.SVID/MintX509SVID');
  assert.equal(serviceDefinition('spire.api.server.bundle.v1.Bundle').GetBundle?.path, '/spire.api.server.bundle.v1.Bundle/GetBundle');
  assert.equal(serviceDefinition('SpiffeWorkloadAPI').FetchX509SVID?.path, '/SpiffeWorkloadAPI/FetchX509SVID');
  assert.equal(serviceDefinition('SpiffeWorkloadAPI').FetchX509SVID?.responseStream, true);
});

test('Entry scalar fields: id=1, x509_svid_ttl=5, revision_number=11, jwt_svid_ttl=13, hint=14, created_at=15', () => {
  assert.deepEqual(entry({ id: 'a' }), [0x0a, 0x01, 0x61]);
  assert.deepEqual(entry({ x509_svid_ttl: 5 }), [0x28, 0x05]);
  assert.deepEqual(entry({ revision_number: 11 }), [0x58, 0x0b]);
  assert.deepEqual(entry({ jwt_svid_ttl: 2 }), [0x68, 0x02]);
  assert.deepEqual(entry({ hint: 'h' }), [0x72, 0x01, 0x68]);
  assert.deepEqual(entry({ created_at: 1 }), [0x78, 0x01]);
  assert.deepEqual(entry({ admin: true, downstream: true, store_svid: true }), [0x38, 0x01, 0x40, 0x01, 0x60, 0x01]);
  assert.deepEqual(entry({ expires_at: 300 }), [0x48, 0xac, 0x02]);
});

test('Entry message and repeated fields: spiffe_id=2, parent_id=3, selectors=4, federates_with=6, dns_names=10', () => {
  assert.deepEqual(entry({ spiffe_id: { trust_domain: 't', path: '/p' } }), [0x12, 0x07, 0x0a, 0x01, 0x74, 0x12, 0x02, 0x2f, 0x70]);
  assert.deepEqual(entry({ parent_id: { trust_domain: 't' } }), [0x1a, 0x03, 0x0a, 0x01, 0x74]);
  assert.deepEqual(entry({ selectors: [{ type: 'k', value: 'v' }] }), [0x22, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76]);
  assert.deepEqual(entry({ federates_with: ['a', 'b'] }), [0x32, 0x01, 0x61, 0x32, 0x01, 0x62]);
  assert.deepEqual(entry({ dns_names: ['d'] }), [0x52, 0x01, 0x64]);
});

test('Entry.additional_attributes=16 is an optional message with a two-byte tag', () => {
  assert.deepEqual(entry({ additional_attributes: { disable_x509_svid_prefetch: true } }), [0x82, 0x01, 0x02, 0x08, 0x01]);
  assert.deepEqual(entry({ additional_attributes: { jwt_svid_include_jti: true } }), [0x82, 0x01, 0x02, 0x10, 0x01]);
  assert.deepEqual(entry({ additional_attributes: {} }), [0x82, 0x01, 0x00]);
});

test('ListEntriesRequest: filter=1, output_mask=2 (EntryMask dns_names=10), page_size=3, page_token=4', () => {
  const list = (m: object) => encodeRequest(entrySvc, 'ListEntries', m);
  assert.deepEqual(list({ page_size: 3 }), [0x18, 0x03]);
  assert.deepEqual(list({ page_token: 'x' }), [0x22, 0x01, 0x78]);
  assert.deepEqual(list({ output_mask: { dns_names: true } }), [0x12, 0x02, 0x50, 0x01]);
  assert.deepEqual(list({ output_mask: { spiffe_id: true, additional_attributes: true } }), [0x12, 0x05, 0x10, 0x01, 0x80, 0x01, 0x01]);
  assert.deepEqual(list({ filter: { by_downstream: { value: true } } }), [0x0a, 0x04, 0x32, 0x02, 0x08, 0x01]);
  assert.deepEqual(list({ filter: { by_hint: { value: 'h' } } }), [0x0a, 0x05, 0x2a, 0x03, 0x0a, 0x01, 0x68]);
  assert.deepEqual(list({ filter: { by_selectors: { match: 2 } } }), [0x0a, 0x04, 0x1a, 0x02, 0x10, 0x02]);
  assert.deepEqual(list({ filter: { by_federates_with: { trust_domains: ['a'], match: 3 } } }), [0x0a, 0x07, 0x22, 0x05, 0x0a, 0x01, 0x61, 0x10, 0x03]);
});

test('batch requests and responses', () => {
  assert.deepEqual(encodeRequest(entrySvc, 'BatchDeleteEntry', { ids: ['a'] }), [0x0a, 0x01, 0x61]);
  assert.deepEqual(encodeRequest(entrySvc, 'BatchUpdateEntry', { input_mask: { admin: true }, output_mask: {} }), [0x12, 0x02, 0x38, 0x01, 0x1a, 0x00]);
  assert.deepEqual(encodeResponse(entrySvc, 'BatchCreateEntry', { results: [{ status: { code: 6, message: 'm' }, entry: { id: 'i' } }] }),
    [0x0a, 0x0c, 0x0a, 0x05, 0x08, 0x06, 0x12, 0x01, 0x6d, 0x12, 0x03, 0x0a, 0x01, 0x69]);
  assert.deepEqual(encodeResponse(entrySvc, 'BatchDeleteEntry', { results: [{ status: {}, id: 'i' }] }), [0x0a, 0x05, 0x0a, 0x00, 0x12, 0x01, 0x69]);
  assert.deepEqual(encodeResponse(entrySvc, 'CountEntries', { count: 7 }), [0x08, 0x07]);
});

test('MintX509SVID, GetBundle and the Workload API', () => {
  const svid = 'spire.api.server.svid.v1.SVID' as const;
  assert.deepEqual(encodeRequest(svid, 'MintX509SVID', { csr: Buffer.from([1]), ttl: 2 }), [0x0a, 0x01, 0x01, 0x10, 0x02]);
  assert.deepEqual(encodeResponse(svid, 'MintX509SVID', { svid: { cert_chain: [Buffer.from([9])], expires_at: 1 } }),
    [0x0a, 0x05, 0x0a, 0x01, 0x09, 0x18, 0x01]);
  const bundle = 'spire.api.server.bundle.v1.Bundle' as const;
  assert.deepEqual(encodeResponse(bundle, 'GetBundle', { trust_domain: 't', x509_authorities: [{ asn1: Buffer.from([7]) }], sequence_number: 1 }),
    [0x0a, 0x01, 0x74, 0x12, 0x03, 0x0a, 0x01, 0x07, 0x28, 0x01]);
  const w = 'SpiffeWorkloadAPI' as const;
  assert.deepEqual(encodeRequest(w, 'FetchX509SVID', {}), []);
  assert.deepEqual(encodeResponse(w, 'FetchX509SVID', { svids: [{ spiffe_id: 's', x509_svid: Buffer.from([1]), x509_svid_key: Buffer.from([2]), bundle: Buffer.from([3]), hint: 'h' }] }),
    [0x0a, 0x0f, 0x0a, 0x01, 0x73, 0x12, 0x01, 0x01, 0x1a, 0x01, 0x02, 0x22, 0x01, 0x03, 0x2a, 0x01, 0x68]);
  assert.deepEqual(encodeResponse(w, 'FetchX509SVID', { federated_bundles: { a: Buffer.from([1]) } }), [0x1a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x01]);
});

test('a decoded Entry has defaults for absent scalars and null for absent messages', () => {
  const m = serviceDefinition(entrySvc).GetEntry;
  assert.ok(m);
  const decoded = m.responseDeserialize(Buffer.from([0x0a, 0x01, 0x61, 0x58, 0x02])) as Record<string, unknown>;
  assert.equal(decoded.id, 'a');
  assert.equal(decoded.revision_number, 2);
  assert.equal(decoded.spiffe_id, null);
  assert.deepEqual(decoded.selectors, []);
  assert.equal(decoded.created_at, 0);
});

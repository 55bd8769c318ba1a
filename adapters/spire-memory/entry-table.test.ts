import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireEntry } from '../spire/wire-types.js';
import { EntryTable } from './entry-table.js';

function wire(id: string, path: string, selectors: string[]): WireEntry {
  return {
    id,
    spiffe_id: { trust_domain: 'example.org', path },
    parent_id: { trust_domain: 'example.org', path: '/node' },
    selectors: selectors.map((s) => ({ type: 'k8s', value: s })),
    x509_svid_ttl: 0, federates_with: [], admin: false, downstream: false, expires_at: 0, dns_names: [],
    revision_number: 0, store_svid: false, jwt_svid_ttl: 0, hint: '', created_at: 0, additional_attributes: null,
  };
}

test('findSimilar matches the selector set in any order, and follows replace and delete', () => {
  const t = new EntryTable();
  t.insert(wire('a', '/w', ['ns:x', 'pod-name:p']));
  assert.equal(t.findSimilar(wire('', '/w', ['pod-name:p', 'ns:x', 'ns:x']))?.entry.id, 'a');
  assert.equal(t.findSimilar(wire('', '/other', ['ns:x', 'pod-name:p'])), undefined);

  t.replace('a', wire('a', '/moved', ['ns:x', 'pod-name:p']));
  assert.equal(t.findSimilar(wire('', '/w', ['ns:x', 'pod-name:p'])), undefined);
  assert.equal(t.findSimilar(wire('', '/moved', ['ns:x', 'pod-name:p']))?.entry.id, 'a');

  t.delete('a');
  assert.equal(t.findSimilar(wire('', '/moved', ['ns:x', 'pod-name:p'])), undefined);
});

test('findSimilar returns the earliest of several similar rows (restored data may hold duplicates)', () => {
  const t = new EntryTable();
  t.insert(wire('b', '/w', ['ns:x']));
  t.insert(wire('c', '/w', ['ns:x']));
  assert.equal(t.findSimilar(wire('', '/w', ['ns:x']))?.entry.id, 'b');
  t.delete('b');
  assert.equal(t.findSimilar(wire('', '/w', ['ns:x']))?.entry.id, 'c');
});

test('scan() walks rows in creation order without copying', () => {
  const t = new EntryTable();
  for (const id of ['r1', 'r2', 'r3']) t.insert(wire(id, `/${id}`, ['ns:x']));
  t.delete('r2');
  assert.deepEqual([...t.scan()].map((r) => [r.entry.id, r.row]), [['r1', 1], ['r3', 3]]);
});

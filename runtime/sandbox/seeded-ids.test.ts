import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdSource } from './seeded-ids.js';

test('the same seed gives the same UUIDs and suffixes', () => {
  const a = createIdSource(42);
  const b = createIdSource(42);
  assert.deepEqual([a.uuid(), a.suffix(), a.uuid()], [b.uuid(), b.suffix(), b.uuid()]);
});

test('different seeds give different sequences', () => {
  assert.notEqual(createIdSource(1).uuid(), createIdSource(2).uuid());
});

test('UUIDs are version 4 and suffixes use the Kubernetes generated-name alphabet', () => {
  const ids = createIdSource(7);
  for (let i = 0; i < 50; i++) {
    assert.match(ids.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(ids.suffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  }
  assert.equal(ids.suffix(10).length, 10);
});

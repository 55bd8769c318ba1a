import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickKeys } from './pick-keys.js';

test('keeps only the named keys that are set, skipping unset config', () => {
  assert.deepEqual(pickKeys({ a: '1', b: '2', c: '' }, ['a', undefined, 'c', 'missing']), { a: '1', c: '' });
});

test('no labels at all gives an empty record', () => {
  assert.deepEqual(pickKeys(undefined, ['a']), {});
  assert.deepEqual(pickKeys(null, ['a']), {});
});

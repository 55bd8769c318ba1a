import assert from 'node:assert/strict';
import { test } from 'node:test';
import { templateHash } from './template-hash.js';

test('the hash depends on the template, not on key order', () => {
  const a = templateHash({ metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const b = templateHash({ spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { app: 'w' } } });
  assert.equal(a, b);
  assert.notEqual(a, templateHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }));
});

test('the hash uses only the generated-name alphabet', () => {
  assert.match(templateHash({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
});

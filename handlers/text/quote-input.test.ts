import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipInput, quoteInput } from './quote-input.js';

test('short input is quoted whole', () => {
  assert.equal(quoteInput('admission.k8s.io/v2'), '"admission.k8s.io/v2"');
  assert.equal(quoteInput(42), '"42"');
});

test('a 3 MB value is cut to the limit and says how long it was', () => {
  const out = quoteInput('a'.repeat(3 * 1024 * 1024), 16);
  assert.equal(out, `"${'a'.repeat(16)}"… (3145728 characters)`);
  assert.equal(clipInput('b'.repeat(1000), 4), 'bbbb… (1000 characters)');
  assert.equal(clipInput('ok'), 'ok');
});

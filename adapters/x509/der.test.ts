import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCa, issueKeyAndCert } from './ca.js';
import { concatDer, splitDerSequences } from './der.js';

test('a chain of real certificates splits back into its certificates', async () => {
  const ca = await createCa({ commonName: 'ca' });
  const leaf = await issueKeyAndCert(ca, { usage: 'client' });
  assert.deepEqual(splitDerSequences(concatDer([leaf.der, ca.der])), [leaf.der, ca.der]);
});

test('short and long length forms; empty input gives no certificates', () => {
  assert.deepEqual(splitDerSequences(new Uint8Array([0x30, 0x01, 0x05, 0x30, 0x00])), [new Uint8Array([0x30, 0x01, 0x05]), new Uint8Array([0x30, 0x00])]);
  const long = new Uint8Array([0x30, 0x81, 0x80, ...new Array<number>(128).fill(1)]);
  assert.equal(splitDerSequences(long)[0]?.length, 131);
  assert.deepEqual(splitDerSequences(new Uint8Array()), []);
});

test('garbage and truncation are errors', () => {
  assert.throws(() => splitDerSequences(new Uint8Array([0x02, 0x01, 0x00])), /not a SEQUENCE/);
  assert.throws(() => splitDerSequences(new Uint8Array([0x30, 0x05, 0x00])), /truncated/);
});

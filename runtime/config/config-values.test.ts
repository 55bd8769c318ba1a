import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyKind } from './config-keys.js';
import { readValue } from './config-values.js';

const accepted: [KeyKind, unknown, unknown][] = [
  ['string', 'x', 'x'],
  ['string', 8080, '8080'],
  ['string', false, 'false'],
  ['bool', true, true],
  ['bool', 'True', true],
  ['bool', '0', false],
  ['bool', 1, true],
  ['int', 9443, 9443],
  ['int', '9443', 9443],
  ['stringList', ['a', 2], ['a', '2']],
  ['stringList', [], []],
  ['stringMap', { A: 'b' }, { A: 'b' }],
  ['stringMap', [{ A: 'b' }], { A: 'b' }],
  ['name', 'example.org', 'example.org'],
  ['duration', '1m', 60_000],
];
for (const [kind, raw, value] of accepted) {
  test(`${kind} accepts ${JSON.stringify(raw)}`, () => assert.deepEqual(readValue(kind, raw), { ok: true, value }));
}

const refused: [KeyKind, unknown, string][] = [
  ['string', ['a'], 'expected a string, got a list'],
  ['string', { a: 'b' }, 'expected a string, got a map'],
  ['string', null, 'expected a string, got null'],
  ['string', '${var.x}', 'expected a string, got the unquoted expression var.x (strings need double quotes)'],
  ['bool', 'yes', 'expected a bool (true or false), got string "yes"'],
  ['bool', 2, 'expected a bool (true or false), got number 2'],
  ['int', 1.5, 'expected a whole number, got number 1.5'],
  ['int', '0x10', 'expected a whole number, got string "0x10"'],
  ['stringList', 'a,b', 'expected a list of strings, got string "a,b"'],
  ['stringList', ['a', { b: 'c' }], 'expected a list of strings, got a list containing a map'],
  ['stringList', ['${x}'], 'expected a list of strings, got the unquoted expression x (strings need double quotes)'],
  ['stringMap', 'x', 'expected a map of strings (context { Key = "value" }), got string "x"'],
  ['stringMap', { A: { B: 'c' } }, 'expected a map of strings (context { Key = "value" }), got a map whose "A" is a map'],
  ['stringMap', [{ C: [1] }], 'expected a map of strings (context { Key = "value" }), got a block whose "C" is a list'],
  // Differences from the original, whose HCL decoder coerced these or merged the blocks silently.
  ['name', 1, 'expected a string (in double quotes), got number 1'],
  ['name', true, 'expected a string (in double quotes), got bool true'],
  ['stringMap', [{ A: 'b' }, { A: 'c' }], 'given as 2 blocks, which would be merged ambiguously; write one block'],
  ['duration', 10, 'expected a duration such as "10s" or "1m30s", got number 10'],
  ['duration', '10 seconds', 'expected a duration such as "10s" or "1m30s", got string "10 seconds"'],
];
for (const [kind, raw, message] of refused) {
  test(`${kind} refuses ${JSON.stringify(raw)}`, () => assert.deepEqual(readValue(kind, raw), { ok: false, message }));
}

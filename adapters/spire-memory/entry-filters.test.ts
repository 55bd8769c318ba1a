import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setMatches } from './entry-filters.js';

const [EXACT, SUBSET, SUPERSET, ANY] = [0, 1, 2, 3];
const table: [string, string[], string[], number, boolean][] = [
  ['EXACT ignores order and duplicates', ['b', 'a', 'a'], ['a', 'b'], EXACT, true],
  ['EXACT refuses a superset', ['a', 'b', 'c'], ['a', 'b'], EXACT, false],
  ['SUBSET accepts a smaller entry set', ['a'], ['a', 'b'], SUBSET, true],
  ['SUBSET never matches an empty entry set', [], ['a'], SUBSET, false],
  ['SUBSET refuses an entry with an extra value', ['a', 'c'], ['a', 'b'], SUBSET, false],
  ['SUPERSET accepts a larger entry set', ['a', 'b', 'c'], ['a', 'b'], SUPERSET, true],
  ['SUPERSET refuses a missing value', ['a'], ['a', 'b'], SUPERSET, false],
  ['ANY needs one shared value', ['c', 'b'], ['a', 'b'], ANY, true],
  ['ANY refuses disjoint sets', ['c'], ['a', 'b'], ANY, false],
  ['an unknown behaviour matches nothing', ['a'], ['a'], 9, false],
];

for (const [name, entry, filter, match, want] of table) test(name, () => assert.equal(setMatches(entry, filter, match), want));

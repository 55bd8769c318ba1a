import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

const parses: [string, number | undefined][] = [
  ['10s', 10_000],
  ['1m30s', 90_000],
  ['1.5h', 5_400_000],
  ['250ms', 250],
  ['2h45m', 9_900_000],
  ['1000us', 1],
  ['0', 0],
  ['-5s', -5000],
  ['10', undefined],
  ['s', undefined],
  ['10 s', undefined],
  ['10sec', undefined],
  ['', undefined],
  ['1d', undefined],
];
for (const [text, ms] of parses) {
  test(`parseGoDuration(${JSON.stringify(text)}) = ${ms}`, () => assert.equal(parseGoDuration(text), ms));
}

test('formatGoDuration prints what Go prints and parses back', () => {
  for (const [ms, text] of [[10_000, '10s'], [90_000, '1m30s'], [3_600_000, '1h0m0s'], [250, '250ms'], [0, '0s'], [1500, '1.5s']] as const) {
    assert.equal(formatGoDuration(ms), text);
    assert.equal(parseGoDuration(text), ms);
  }
});

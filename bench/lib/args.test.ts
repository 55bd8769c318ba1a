import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from './args.js';

const defaults = { pods: 10_000, durationS: 60 };

test('flags override defaults, in --name=value and --name value form, kebab-case to camelCase', () => {
  assert.deepEqual(parseArgs(['--pods=20', '--duration-s', '5'], defaults), { pods: 20, durationS: 5 });
  assert.deepEqual(parseArgs([], defaults), defaults);
});

test('an unknown flag, a stray argument or a bad number is an error naming the flags', () => {
  assert.throws(() => parseArgs(['--pod=3'], defaults), /unknown flag --pod \(flags: --pods=10000 --duration-s=60\)/);
  assert.throws(() => parseArgs(['20'], defaults), /unexpected argument "20"/);
  assert.throws(() => parseArgs(['--pods=lots'], defaults), /--pods needs a number >= 0, got "lots"/);
  assert.throws(() => parseArgs(['--pods'], defaults), /--pods needs a number/);
  assert.throws(() => parseArgs(['--pods=-1'], defaults), /--pods needs a number >= 0/);
});

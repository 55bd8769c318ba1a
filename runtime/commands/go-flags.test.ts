import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseGoFlags } from './go-flags.js';

const spec = {
  config: { kind: 'string', default: 'k8s-workload-registrar.conf' },
  selector: { kind: 'list' },
  verbose: { kind: 'boolean', default: false },
} as const;

test('single dash, double dash and = forms are all accepted', () => {
  for (const argv of [['-config', 'a.conf'], ['--config', 'a.conf'], ['-config=a.conf'], ['--config=a.conf']]) {
    assert.equal(parseGoFlags(argv, spec).flags.config, 'a.conf');
  }
});

test('defaults apply; lists collect; booleans take no argument', () => {
  const { flags, positional } = parseGoFlags(['-selector', 'k8s:ns:a', '-verbose', 'show', '-selector=k8s:sa:b'], spec);
  assert.deepEqual(flags, { config: 'k8s-workload-registrar.conf', selector: ['k8s:ns:a', 'k8s:sa:b'], verbose: true });
  assert.deepEqual(positional, ['show']);
});

test('unknown flags and missing values are errors with Go-like messages', () => {
  assert.throws(() => parseGoFlags(['-nope'], spec), new FlagError('flag provided but not defined: -nope'));
  assert.throws(() => parseGoFlags(['-config'], spec), new FlagError('flag needs an argument: -config'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hclDiagnostics, parseHcl } from './hcl-parse.js';

test('attributes, lists and blocks come out as JSON values', async () => {
  const r = await parseHcl('a = "x"\nn = 3\nb = true\nl = ["p", "q"]\ncontext {\n  Region = "US-NORTH"\n}\n', 'f.conf');
  assert.deepEqual(r, { ok: true, body: { a: 'x', n: 3, b: true, l: ['p', 'q'], context: [{ Region: 'US-NORTH' }] } });
});

test('a syntax error is reported with file, line and column and the parser message', async () => {
  const r = await parseHcl('trust_domain = "example.org"\ncluster = "k8s\n', 'my.conf');
  assert.ok(!r.ok);
  assert.ok(r.problems.length >= 1);
  assert.match(r.problems[0] as string, /^my\.conf:2:\d+: unable to decode configuration: Invalid multi-line string; /);
});

test('several diagnostics become several problems', () => {
  const msg = 'parse config: [a b.conf:1,7-2,1: First; detail one. a b.conf:4,1-3: Second; detail two.]';
  assert.deepEqual(hclDiagnostics(msg, 'a b.conf'), [
    'a b.conf:1:7: unable to decode configuration: First; detail one.',
    'a b.conf:4:1: unable to decode configuration: Second; detail two.',
  ]);
});

test('an unexpected message shape is kept whole', () => {
  assert.deepEqual(hclDiagnostics('boom', 'x.conf'), ['x.conf: unable to decode configuration: boom']);
});

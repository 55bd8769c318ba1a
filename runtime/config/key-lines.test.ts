import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyLines } from './key-lines.js';

test('records the line of each top-level attribute and block', () => {
  const text = ['trust_domain = "example.org"', '', '  cluster="k8s"', 'context {', '  Region = "x"', '}', 'webhook_port = 9443'].join('\n');
  assert.deepEqual([...keyLines(text)], [
    ['trust_domain', 1],
    ['cluster', 3],
    ['context', 4],
    ['webhook_port', 7],
  ]);
});

test('keys nested in blocks, objects and lists are not top-level keys', () => {
  const text = 'context = {\n  cluster = "x"\n}\nlist = [\n  "a",\n]\nmode = "crd"\n';
  const lines = keyLines(text);
  assert.equal(lines.get('cluster'), undefined);
  assert.equal(lines.get('mode'), 7);
});

test('comments, strings and heredocs neither hide nor invent keys', () => {
  const text = [
    '# fake = 1',
    '// also_fake = 2',
    '/* block',
    '   fake3 = 3 */ real = "a { b"',
    'h = <<EOT',
    'inside = 1',
    'EOT',
    'last = "x" # trailing',
  ].join('\n');
  assert.deepEqual([...keyLines(text)], [
    ['real', 4],
    ['h', 5],
    ['last', 8],
  ]);
});

test('a block whose brace is on the next line still counts', () => {
  assert.equal(keyLines('\ncontext\n{\n  A = "b"\n}\n').get('context'), 2);
});

test('the first definition wins', () => {
  assert.equal(keyLines('a {\n}\na {\n}\n').get('a'), 1);
});

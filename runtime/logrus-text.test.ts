import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogrusText } from './logrus-text.js';

test('time, level and msg come first, then the fields sorted by name', () => {
  const line = formatLogrusText({
    level: 'info',
    time: '2026-01-02T15:04:05.123Z',
    spiffe_id: 'spiffe://example.org/ns/default/sa/web',
    entry_id: '6e3c2e1b-0d5e-4b6c-9a37-0f6f5c1f2a1d',
    msg: 'Created pod entry',
  });
  assert.equal(
    line,
    'time="2026-01-02T15:04:05Z" level=info msg="Created pod entry" entry_id=6e3c2e1b-0d5e-4b6c-9a37-0f6f5c1f2a1d spiffe_id="spiffe://example.org/ns/default/sa/web"\n',
  );
});

test('values are quoted only when they need it, as logrus does', () => {
  const line = formatLogrusText({ level: 'debug', msg: 'Starting', a: 'plain-value_1.2/x@y^z+w', b: 'has space', c: 'say "hi"', d: '', e: 'a=b', f: 'line\nbreak' });
  assert.equal(line, 'level=debug msg=Starting a=plain-value_1.2/x@y^z+w b="has space" c="say \\"hi\\"" d= e="a=b" f="line\\nbreak"\n');
});

test('numbers, booleans, null, arrays and objects are printed plainly', () => {
  assert.equal(
    formatLogrusText({ level: 'info', msg: 'm', n: 3, t: true, z: null, l: ['a', 'b'], o: { k: 1 } }),
    'level=info msg=m l="[\\"a\\",\\"b\\"]" n=3 o="{\\"k\\":1}" t=true z="<nil>"\n',
  );
});

test('an error logged as { err } appears as error="<message with causes>"', () => {
  const line = formatLogrusText({ level: 'error', msg: 'Pass failed', err: { type: 'Error', message: 'list entries: unavailable', stack: '...' } });
  assert.equal(line, 'level=error msg="Pass failed" error="list entries: unavailable"\n');
});

test('an empty message is left out', () => {
  assert.equal(formatLogrusText({ level: 'warning', msg: '', k: 'v' }), 'level=warning k=v\n');
});

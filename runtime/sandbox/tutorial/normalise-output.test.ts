import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseAges, normaliseLogTimes, sortLogLines, uuidMap } from './normalise-output.js';

test('the same UUID maps to the same stand-in; stand-ins follow first appearance', () => {
  const a = '11111111-1111-4111-8111-111111111111';
  const b = '22222222-2222-4222-8222-222222222222';
  const m1 = uuidMap(5);
  const m2 = uuidMap(5);
  const first = m1.map(`${a} ${b} ${a}`);
  const [x, y, z] = first.split(' ');
  assert.equal(x, z);
  assert.notEqual(x, y);
  assert.equal(m2.map(`${b} ${a}`), `${x} ${y}`, 'order of appearance, not the UUID, decides');
});

test('log times become one fixed time', () => {
  assert.equal(normaliseLogTimes('time="2026-11-27T15:33:55Z" level=info'), 'time="2026-01-01T12:00:00Z" level=info');
});

test('log lines are sorted by SPIFFE ID', () => {
  assert.equal(sortLogLines('msg=x spiffe_id="spiffe://td/b"\nmsg=x spiffe_id="spiffe://td/a"'), 'msg=x spiffe_id="spiffe://td/a"\nmsg=x spiffe_id="spiffe://td/b"');
});

test('AGE cells are replaced in place, also when AGE is not the last column', () => {
  const table = ['NAME   SPIFFE ID   AGE    IP', 'a      s://a       1s     10.0.0.1', 'b      s://b       130m   10.0.0.2'].join('\n');
  assert.equal(normaliseAges(table), ['NAME   SPIFFE ID   AGE   IP', 'a      s://a       12s   10.0.0.1', 'b      s://b       12s   10.0.0.2'].join('\n'));
  assert.equal(normaliseAges('NAME   AGE\na      0s'), 'NAME   AGE\na      12s');
});

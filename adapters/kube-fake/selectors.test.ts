import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

const labels = { app: 'web', tier: 'front', 'spire-workload': 'w1' };
const cases: [selector: string, matches: boolean][] = [
  ['', true],
  ['app=web', true],
  ['app==web', true],
  ['app=db', false],
  ['app!=db', true],
  ['missing!=x', true],
  ['app in (db, web)', true],
  ['app notin (web)', false],
  ['app in (db),tier=front', false],
  ['spire-workload', true],
  ['!spire-workload', false],
  ['!other', true],
  ['tier in (front,back),app', true],
];
for (const [selector, expected] of cases) {
  test(`label selector '${selector}' ${expected ? 'matches' : 'does not match'}`, () => {
    const reqs = parseLabelSelector(selector);
    assert.ok(Array.isArray(reqs), String(reqs));
    assert.equal(matchesLabels(reqs, labels), expected);
  });
}

test('a malformed label selector is an error message', () => {
  assert.equal(typeof parseLabelSelector('app in web'), 'string');
});

test('field selectors compare dotted paths, missing fields as empty', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' } };
  const check = (s: string) => {
    const reqs = parseFieldSelector(s);
    assert.ok(Array.isArray(reqs));
    return matchesFields(reqs, pod);
  };
  assert.equal(check('metadata.name=p'), true);
  assert.equal(check('metadata.name=p,metadata.namespace=other'), false);
  assert.equal(check('spec.nodeName!=n1'), false);
  assert.equal(check('spec.nodeName='), false);
  assert.equal(check('status.phase='), true);
});

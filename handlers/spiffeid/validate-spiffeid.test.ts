import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { aSpiffeId, testRules, type SpiffeIdInit } from '../../test/fixtures/spiffeid.js';
import { duplicateOf, validateSpiffeId, type SpiffeIdRule } from './validate-spiffeid.js';

const rules = testRules;
const check = (init: SpiffeIdInit) => validateSpiffeId(aSpiffeId(init), rules);

test('the tutorial test SpiffeID is valid', () => assert.equal(check({}), undefined));

test('a node SpiffeID in the registrar namespace may use k8s_psat selectors', () => {
  assert.equal(check({ namespace: 'spire', selector: { cluster: 'k8stest', agent_node_uid: 'u1' } }), undefined);
});

const denials: [string, SpiffeIdInit, SpiffeIdRule, RegExp][] = [
  ['parentId in another trust domain', { parentId: 'spiffe://other.org/spire/server' }, 'parentId', /^spec\.parentId must begin with spiffe:\/\/example\.org/],
  ['parentId that is not a SPIFFE ID', { parentId: 'example.org/spire/server' }, 'parentId', /not a valid SPIFFE ID/],
  ['empty parentId', { parentId: '' }, 'parentId', /^spec\.parentId must begin/],
  [
    'spiffeId in a trust domain that merely starts with the configured one (the original string-prefix check let spiffe://example.org.evil/x through)',
    { spiffeId: 'spiffe://example.org.evil/x' },
    'spiffeId',
    /trust domain "example\.org\.evil"/,
  ],
  ['parentId in a look-alike trust domain', { parentId: 'spiffe://example.org.evil/spire/server' }, 'parentId', /example\.org\.evil/],
  ['spiffeId with an invalid path', { spiffeId: 'spiffe://example.org/a//b' }, 'spiffeId', /empty segments/],
  ['spiffeId without a path', { spiffeId: 'spiffe://example.org' }, 'spiffeId', /must have a path/],
  ['spiffeId in SPIRE reserved /spire space', { spiffeId: 'spiffe://example.org/spire/agent/x' }, 'spiffeId', /reserved/],
  [
    'cluster selector outside the registrar namespace',
    { namespace: 'default', selector: { cluster: 'k8stest', namespace: 'default' } },
    'psatSelectorNamespace',
    /^spec\.Selector\.Cluster and spec\.Selector\.AgentNodeUid can only be used by the k8s-workload-registrar$/,
  ],
  ['agent_node_uid selector outside the registrar namespace', { namespace: 'default', selector: { agent_node_uid: 'u1' } }, 'psatSelectorNamespace', /AgentNodeUid/],
  [
    'selector namespace different from the resource namespace',
    { namespace: 'default', selector: { namespace: 'kube-system', podName: 'x' } },
    'selectorNamespace',
    /^spec\.Selector\.Namespace must match namespace of resource$/,
  ],
  ['missing selector namespace', { namespace: 'default', selector: { podName: 'x' } }, 'selectorNamespace', /must match namespace/],
  ['invalid DNS name', { dnsNames: ['ok.example', 'bad..name'] }, 'dnsNames', /^invalid DNS name "bad\.\.name"/],
  ['invalid federatesWith', { federatesWith: ['Bad Domain'] }, 'federatesWith', /federatesWith/],
];

for (const [name, init, rule, message] of denials) {
  test(`refused: ${name}`, () => {
    const problem = check(init);
    assert.equal(problem?.rule, rule);
    assert.match(problem?.message ?? '', message);
  });
}

const existing = newEntry({
  id: 'e1',
  spiffeId: 'spiffe://example.org/test',
  parentId: 'spiffe://example.org/other-parent',
  selectors: [selector('k8s', 'pod-name:my-test-pod'), selector('k8s', 'ns:default')],
});

test('duplicate: same SPIFFE ID and selector set (any order, any parent) belonging to another resource', () => {
  assert.equal(duplicateOf(aSpiffeId(), [existing])?.rule, 'duplicate');
  assert.match(duplicateOf(aSpiffeId(), [existing])?.message ?? '', /^Duplicate detected/);
});

test('a duplicate is refused whatever status.entryId says, and the message never names the entry', () => {
  const problem = duplicateOf(aSpiffeId({ entryId: 'e1' }), [existing]);
  assert.equal(problem?.rule, 'duplicate');
  assert.doesNotMatch(problem?.message ?? '', /e1/);
});

test('not a duplicate: a selector subset or another SPIFFE ID', () => {
  const fewer = { ...existing, selectors: [selector('k8s', 'ns:default')] };
  const other = { ...existing, spiffeId: 'spiffe://example.org/other' };
  assert.equal(duplicateOf(aSpiffeId(), [fewer, other]), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId, testRules, type SpiffeIdInit } from '../../test/fixtures/spiffeid.js';
import { dnsNameRefusal, namespacePolicyProblem } from './namespace-policy.js';
import { validateSpiffeId, type SpiffeIdRules } from './validate-spiffeid.js';

const check = (init: SpiffeIdInit, rules: SpiffeIdRules = testRules) => namespacePolicyProblem(aSpiffeId(init), rules);
const node = 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1';

test('the tutorial\'s hand-made my-test-spiffeid passes the namespace policy unchanged', () => {
  assert.equal(validateSpiffeId(aSpiffeId(), testRules), undefined);
});

const allowed: [string, SpiffeIdInit][] = [
  ['an ID outside ns/ (spiffe://example.org/test)', {}],
  ['an ID under its own namespace', { spiffeId: 'spiffe://example.org/ns/default/sa/web' }],
  ['a parent that is a node the registrar manages', { parentId: node }],
  ['a parent that is the SPIRE server', { parentId: 'spiffe://example.org/spire/server' }],
  ['an ID that only starts like the registrar\'s root', { spiffeId: 'spiffe://example.org/k8s-workload-registrar-x/y' }],
  ['single-label and own-namespace DNS names', { dnsNames: ['web', 'web.default.svc', 'web.default.svc.cluster.local', 'a.web.default.svc'] }],
];
for (const [what, init] of allowed) test(`allowed: ${what}`, () => assert.equal(check(init), undefined));

const refused: [string, SpiffeIdInit, string][] = [
  ['another namespace\'s ID (ns/kube-system/sa/admin)', { spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' }, 'namespacePath'],
  ['an ID that only looks like its namespace (ns/default-other/...)', { spiffeId: 'spiffe://example.org/ns/default-other/sa/x' }, 'namespacePath'],
  ['a node\'s own ID', { spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/other-node' }, 'nodeOrAgentId'],
  ['a node ID of another cluster', { spiffeId: 'spiffe://example.org/k8s-workload-registrar/c2/node/n' }, 'nodeOrAgentId'],
  ['any ID under the registrar\'s root, not only node IDs', { spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/x' }, 'nodeOrAgentId'],
  ['the registrar\'s root itself', { spiffeId: 'spiffe://example.org/k8s-workload-registrar' }, 'nodeOrAgentId'],
  ['an agent ID', { spiffeId: 'spiffe://example.org/spire/agent/k8s_psat/k8stest/x' }, 'nodeOrAgentId'],
  ['downstream: true', { downstream: true }, 'downstream'],
  ['a parent that is another workload', { parentId: 'spiffe://example.org/ns/default/sa/web' }, 'parentId'],
  ['a parent that is an agent', { parentId: 'spiffe://example.org/spire/agent/k8s_psat/k8stest/x' }, 'parentId'],
  ['a parent that is a node of another cluster', { parentId: 'spiffe://example.org/k8s-workload-registrar/c2/node/n1' }, 'parentId'],
  ['a parent deeper than a node', { parentId: `${node}/x` }, 'parentId'],
  ['a parent that is the cluster\'s node root, not a node', { parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node' }, 'parentId'],
  ['a parent that only looks like a node (nodes/)', { parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/nodes/n1' }, 'parentId'],
  ['a parent whose cluster only starts like ours', { parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest2/node/n1' }, 'parentId'],
  ['a node parent of another trust domain', { parentId: 'spiffe://other.org/k8s-workload-registrar/k8stest/node/n1' }, 'parentId'],
  ['a node parent under another controller name', { parentId: 'spiffe://example.org/other-registrar/k8stest/node/n1' }, 'parentId'],
  ['a wildcard DNS name', { dnsNames: ['*.example.com'] }, 'dnsName'],
  ['the API server\'s name, even from namespace default', { dnsNames: ['kubernetes.default.svc'] }, 'dnsName'],
  ['the API server\'s fully qualified name', { dnsNames: ['kubernetes.default.svc.cluster.local'] }, 'dnsName'],
  ['another namespace\'s service', { dnsNames: ['api.payments.svc'] }, 'dnsName'],
  ['another namespace\'s service, fully qualified', { dnsNames: ['api.payments.svc.cluster.local'] }, 'dnsName'],
  ['a public name', { dnsNames: ['www.example.com'] }, 'dnsName'],
];
for (const [what, init, rule] of refused) {
  test(`refused: ${what}, naming rule ${rule}`, () => {
    const problem = check(init);
    assert.equal(problem?.rule, `policy.${rule}`);
    assert.match(problem?.message ?? '', new RegExp(`^refused by spiffeid_policy "namespace", rule ${rule}: `));
  });
}

test('spiffeid_policy = "open" and the registrar\'s own namespace are not restricted', () => {
  const open = { ...testRules, policy: { ...testRules.policy, mode: 'open' as const } };
  assert.equal(check({ spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin', downstream: true }, open), undefined);
  assert.equal(check({ namespace: 'spire', selector: { namespace: 'spire' }, spiffeId: 'spiffe://example.org/ns/kube-system/sa/x' }), undefined);
});

test('the registrar\'s own SpiffeIDs (origin registrar) skip the policy but not the base rules', () => {
  const pod = aSpiffeId({ spiffeId: 'spiffe://example.org/ns/kube-system/sa/x' });
  assert.equal(validateSpiffeId(pod, testRules, 'registrar'), undefined);
  assert.equal(validateSpiffeId(pod, testRules, 'user')?.rule, 'policy.namespacePath');
  assert.equal(validateSpiffeId(aSpiffeId({ spiffeId: 'spiffe://other.org/x' }), testRules, 'registrar')?.rule, 'spiffeId');
});

test('DNS names: a configured suffix is granted to every namespace; its look-alikes are not; case does not matter', () => {
  const policy = { ...testRules.policy, allowedDnsSuffixes: ['.apps.example.com'] };
  assert.equal(dnsNameRefusal('web.apps.example.com', 'default', policy), undefined);
  assert.equal(dnsNameRefusal('WEB.Default.SVC', 'default', policy), undefined);
  assert.match(dnsNameRefusal('web.evilapps.example.com', 'default', policy) ?? '', /allowed suffix \(\.apps\.example\.com\)/);
  assert.match(dnsNameRefusal('web.default.svc.other.zone', 'default', policy) ?? '', /only single-label names/);
});

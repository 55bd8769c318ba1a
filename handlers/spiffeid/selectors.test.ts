import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { formatSelector } from '../entries/selectors.js';
import { spiffeIdSelectors } from './selectors.js';
import { SpiffeIdSelectorSchema } from './spiffeid.js';

const sel = (raw: Record<string, unknown>) => spiffeIdSelectors(v.parse(SpiffeIdSelectorSchema, raw)).map(formatSelector);

const cases: [string, Record<string, unknown>, string[]][] = [
  ['cluster is a k8s_psat selector', { cluster: 'k8stest' }, ['k8s_psat:cluster:k8stest']],
  ['agent_node_uid is a k8s_psat selector', { agent_node_uid: 'n-1' }, ['k8s_psat:agent_node_uid:n-1']],
  ['each pod label is a k8s pod-label selector, in key order', { podLabel: { b: '2', a: '1' } }, ['k8s:pod-label:a:1', 'k8s:pod-label:b:2']],
  ['podName', { podName: 'web-0' }, ['k8s:pod-name:web-0']],
  ['podUid', { podUid: 'u-1' }, ['k8s:pod-uid:u-1']],
  ['namespace', { namespace: 'default' }, ['k8s:ns:default']],
  ['serviceAccount', { serviceAccount: 'web' }, ['k8s:sa:web']],
  ['containerName', { containerName: 'app' }, ['k8s:container-name:app']],
  ['containerImage', { containerImage: 'nginx:1' }, ['k8s:container-image:nginx:1']],
  ['nodeName', { nodeName: 'minikube' }, ['k8s:node-name:minikube']],
  ['each arbitrary value is the value of a k8s selector', { arbitrary: ['pod-image-count:1', 'x'] }, ['k8s:pod-image-count:1', 'k8s:x']],
  ['empty fields give no selector', { podName: '', arbitrary: [] }, []],
];

for (const [name, raw, want] of cases) {
  test(`selector mapping: ${name}`, () => assert.deepEqual(sel(raw), want));
}

test('the tutorial node SpiffeID maps to agent_node_uid and cluster selectors', () => {
  assert.deepEqual(sel({ cluster: 'k8stest', agent_node_uid: 'uid-minikube' }), [
    'k8s_psat:cluster:k8stest',
    'k8s_psat:agent_node_uid:uid-minikube',
  ]);
});

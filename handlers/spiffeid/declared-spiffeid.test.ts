import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { declaredSpec, type DeclaredSpecInit } from './declared-spiffeid.js';
import { SpiffeIdSpecSchema } from './spiffeid.js';

test('a declared spec carries exactly the defaults of a spec read from the API', () => {
  const cases: DeclaredSpecInit[] = [
    { spiffeId: 'spiffe://example.org/web' },
    {
      parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1',
      spiffeId: 'spiffe://example.org/web',
      selector: { podUid: 'u1', namespace: 'default', nodeName: 'n1', podLabel: { app: 'web' }, arbitrary: ['a:b'] },
      downstream: true,
      dnsNames: ['web-0', 'web.default.svc'],
      federatesWith: ['other.org'],
    },
    { spiffeId: 'spiffe://example.org/node', selector: { cluster: 'k8stest', agent_node_uid: 'n-uid' } },
  ];
  for (const c of cases) assert.deepStrictEqual(declaredSpec(c), v.parse(SpiffeIdSpecSchema, c));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { EndpointsSchema } from '../k8s/endpoints.js';
import { backendsOfEndpoints, serviceDnsNames } from './service-dns-names.js';

type Ref = { name: string; uid?: string; kind?: string; namespace?: string };
const ep = (name: string, namespace: string, ready: Ref[], notReady: Ref[] = []) =>
  v.parse(EndpointsSchema, {
    metadata: { name, namespace },
    subsets: [
      {
        addresses: ready.map((r) => ({ ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace, ...r } })),
        notReadyAddresses: notReady.map((r) => ({ ip: '10.0.0.2', targetRef: { kind: 'Pod', namespace, ...r } })),
      },
    ],
  });
const names = (endpoints: Parameters<typeof backendsOfEndpoints>[0], pod: ReturnType<typeof aPod>) =>
  serviceDnsNames(backendsOfEndpoints(endpoints)).forPod(pod);

const web0 = aPod({ name: 'web-0', namespace: 'default', uid: 'uid-web-0' });
const web1 = aPod({ name: 'web-1', namespace: 'default', uid: 'uid-web-1' });

test('each ready pod behind a Service gets <service>.<namespace>.svc, sorted and de-duplicated', () => {
  const eps = [
    ep('web', 'default', [{ name: 'web-0', uid: 'uid-web-0' }, { name: 'web-1', uid: 'uid-web-1' }]),
    ep('api', 'default', [{ name: 'web-0', uid: 'uid-web-0' }, { name: 'web-0', uid: 'uid-web-0' }]),
  ];
  assert.deepEqual(names(eps, web0), ['api.default.svc', 'web.default.svc']);
  assert.deepEqual(names(eps, web1), ['web.default.svc']);
});

test('matched by UID: a pod recreated under the same name does not inherit the old pod\'s service names', () => {
  const eps = [ep('web', 'default', [{ name: 'web-0', uid: 'uid-old-web-0' }])];
  assert.deepEqual(names(eps, web0), []);
  assert.deepEqual(names(eps, aPod({ name: 'web-0', namespace: 'default', uid: 'uid-old-web-0' })), ['web.default.svc']);
});

test('a reference without a UID falls back to namespace/name', () => {
  const eps = [ep('web', 'default', [{ name: 'web-0' }]), ep('other', 'elsewhere', [{ name: 'web-0' }])];
  assert.deepEqual(names(eps, web0), ['web.default.svc']);
});

test('targetRef.kind is not required; a reference that names another kind is not a pod', () => {
  const noKind = v.parse(EndpointsSchema, {
    metadata: { name: 'web', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { uid: 'uid-web-0', name: 'web-0' } }] }],
  });
  assert.deepEqual(names([noKind], web0), ['web.default.svc']);
  assert.deepEqual(names([ep('ext', 'default', [{ name: 'web-0', kind: 'Node' }])], web0), []);
});

test('not-ready addresses and addresses without a target give nothing', () => {
  const other = v.parse(EndpointsSchema, { metadata: { name: 'ext', namespace: 'default' }, subsets: [{ addresses: [{ ip: '1.2.3.4' }] }] });
  assert.deepEqual(backendsOfEndpoints([ep('web', 'default', [], [{ name: 'web-0', uid: 'uid-web-0' }]), other]), []);
});

test('no Endpoints, no service names', () => assert.deepEqual(names([], web0), []));

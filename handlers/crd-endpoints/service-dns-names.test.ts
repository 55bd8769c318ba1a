import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { anEndpointSlice, type AddressInit } from '../../test/fixtures/endpoint-slices.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { EndpointSliceSchema, type EndpointSlice } from '../k8s/endpoint-slice.js';
import { backendsOfSlices, serviceDnsNames } from './service-dns-names.js';

const slice = (service: string, namespace: string, ready: AddressInit[], notReady: AddressInit[] = [], name?: string) =>
  anEndpointSlice({ service, namespace, addresses: ready, notReadyAddresses: notReady, ...(name ? { name } : {}) });
const names = (slices: readonly EndpointSlice[], pod: ReturnType<typeof aPod>) => serviceDnsNames(backendsOfSlices(slices)).forPod(pod);

const web0 = aPod({ name: 'web-0', namespace: 'default', uid: 'uid-web-0' });
const web1 = aPod({ name: 'web-1', namespace: 'default', uid: 'uid-web-1' });

test('each ready pod behind a Service gets <service>.<namespace>.svc, sorted and de-duplicated', () => {
  const slices = [
    slice('web', 'default', [{ pod: 'web-0', uid: 'uid-web-0' }, { pod: 'web-1', uid: 'uid-web-1' }]),
    slice('api', 'default', [{ pod: 'web-0', uid: 'uid-web-0' }, { pod: 'web-0', uid: 'uid-web-0' }]),
  ];
  assert.deepEqual(names(slices, web0), ['api.default.svc', 'web.default.svc']);
  assert.deepEqual(names(slices, web1), ['web.default.svc']);
});

test('a pod behind several slices of one Service gets the name once', () => {
  const slices = [
    slice('web', 'default', [{ pod: 'web-0', uid: 'uid-web-0', ip: '10.0.0.1' }], [], 'web-ipv4'),
    slice('web', 'default', [{ pod: 'web-0', uid: 'uid-web-0', ip: 'fd00::1' }], [], 'web-ipv6'),
  ];
  assert.deepEqual(names(slices, web0), ['web.default.svc']);
});

test('matched by UID: a pod recreated under the same name does not inherit the old pod\'s service names', () => {
  const slices = [slice('web', 'default', [{ pod: 'web-0', uid: 'uid-old-web-0' }])];
  assert.deepEqual(names(slices, web0), []);
  assert.deepEqual(names(slices, aPod({ name: 'web-0', namespace: 'default', uid: 'uid-old-web-0' })), ['web.default.svc']);
});

test('a reference without a UID falls back to namespace/name', () => {
  const slices = [slice('web', 'default', [{ pod: 'web-0' }]), slice('other', 'elsewhere', [{ pod: 'web-0' }])];
  assert.deepEqual(names(slices, web0), ['web.default.svc']);
});

test('targetRef.kind is not required; a reference that names another kind is not a pod', () => {
  const noKind = v.parse(EndpointSliceSchema, {
    metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [{ addresses: ['10.0.0.1'], targetRef: { uid: 'uid-web-0', name: 'web-0' } }],
  });
  assert.deepEqual(names([noKind], web0), ['web.default.svc']);
  assert.deepEqual(names([slice('ext', 'default', [{ pod: 'web-0', kind: 'Node' }])], web0), []);
});

test('not-ready endpoints, endpoints without a target and slices without a Service give nothing', () => {
  const noTarget = slice('ext', 'default', [{ ip: '1.2.3.4' }]);
  const noService = v.parse(EndpointSliceSchema, {
    metadata: { name: 'custom', namespace: 'default' },
    endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'web-0', uid: 'uid-web-0' } }],
  });
  assert.deepEqual(backendsOfSlices([slice('web', 'default', [], [{ pod: 'web-0', uid: 'uid-web-0' }]), noTarget, noService]), []);
});

test('an endpoint whose ready condition is unset counts as ready (the API\'s rule)', () => {
  const unset = v.parse(EndpointSliceSchema, {
    metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'web-0', uid: 'uid-web-0' } }],
  });
  assert.deepEqual(names([unset], web0), ['web.default.svc']);
});

test('no slices, no service names', () => assert.deepEqual(names([], web0), []));

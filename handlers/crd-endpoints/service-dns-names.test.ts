import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { EndpointsSchema } from '../k8s/endpoints.js';
import { serviceDnsNamesByPod } from './service-dns-names.js';

const ep = (name: string, namespace: string, ready: string[], notReady: string[] = []) =>
  v.parse(EndpointsSchema, {
    metadata: { name, namespace },
    subsets: [
      {
        addresses: ready.map((p) => ({ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: p, namespace } })),
        notReadyAddresses: notReady.map((p) => ({ ip: '10.0.0.2', targetRef: { kind: 'Pod', name: p, namespace } })),
      },
    ],
  });

test('each ready pod behind a Service gets <service>.<namespace>.svc', () => {
  const names = serviceDnsNamesByPod([ep('web', 'default', ['web-0', 'web-1']), ep('api', 'default', ['web-0'])]);
  assert.deepEqual(Object.fromEntries(names), {
    'default/web-0': ['api.default.svc', 'web.default.svc'],
    'default/web-1': ['web.default.svc'],
  });
});

test('not-ready addresses and non-pod targets give nothing', () => {
  const other = v.parse(EndpointsSchema, {
    metadata: { name: 'ext', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.5', targetRef: { kind: 'Node', name: 'n1' } }] }],
  });
  assert.deepEqual(serviceDnsNamesByPod([ep('web', 'default', [], ['web-0']), other]).size, 0);
});

test('no Endpoints, no service names', () => assert.equal(serviceDnsNamesByPod([]).size, 0));

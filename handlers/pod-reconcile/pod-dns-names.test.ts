import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { dashedIp, podDnsNames } from './pod-dns-names.js';

const zone = 'cluster.local';
const web0 = aPod({ name: 'web-0', namespace: 'default', podIP: '10.0.0.7' });

test('a pod without an IP gets no DNS names yet', () => {
  assert.deepEqual(podDnsNames(aPod({ podIP: '' }), [], zone), []);
});

test('a pod behind no Service: the two pod-IP names, the zone form first', () => {
  assert.deepEqual(podDnsNames(web0, [], zone), ['10-0-0-7.default.pod.cluster.local', '10-0-0-7.default.pod']);
});

test('a Service without hostnames: service names plus IP and pod-name forms, sorted after the pod names', () => {
  const ep = anEndpointSlice({ service: 'web', namespace: 'default', addresses: [{ pod: 'web-0', ip: '10.0.0.7' }, { pod: 'web-1', ip: '10.0.0.8' }] });
  assert.deepEqual(podDnsNames(web0, [ep], zone), [
    '10-0-0-7.default.pod.cluster.local',
    '10-0-0-7.default.pod',
    '10-0-0-7.web',
    '10-0-0-7.web.default',
    '10-0-0-7.web.default.svc',
    '10-0-0-7.web.default.svc.cluster.local',
    'web',
    'web-0.web',
    'web-0.web.default',
    'web-0.web.default.svc',
    'web-0.web.default.svc.cluster.local',
    'web.default',
    'web.default.svc',
    'web.default.svc.cluster.local',
  ]);
});

test('a headless Service address with a hostname gives the hostname forms instead of the IP and pod-name forms', () => {
  const ep = anEndpointSlice({ service: 'db', namespace: 'default', notReadyAddresses: [{ pod: 'web-0', ip: '10.0.0.7', hostname: 'db-0' }] });
  assert.deepEqual(podDnsNames(web0, [ep], zone).slice(2), [
    'db',
    'db-0.db',
    'db-0.db.default',
    'db-0.db.default.svc',
    'db-0.db.default.svc.cluster.local',
    'db.default',
    'db.default.svc',
    'db.default.svc.cluster.local',
  ]);
});

test('Endpoints of other pods, other namespaces or non-Pod targets add nothing', () => {
  const eps = [
    anEndpointSlice({ service: 'other', namespace: 'default', addresses: [{ pod: 'web-1' }] }),
    anEndpointSlice({ service: 'web', namespace: 'elsewhere', addresses: [{ pod: 'web-0' }] }),
    anEndpointSlice({ service: 'ext', namespace: 'default', addresses: [{ pod: 'web-0', kind: 'Node' }] }),
    anEndpointSlice({ service: 'plain', namespace: 'default', addresses: [{ ip: '10.0.0.7' }] }),
  ];
  assert.deepEqual(podDnsNames(web0, eps, zone), ['10-0-0-7.default.pod.cluster.local', '10-0-0-7.default.pod']);
});

test('two Services naming the pod: names merged, de-duplicated and sorted', () => {
  const eps = [
    anEndpointSlice({ service: 'b', namespace: 'default', addresses: [{ pod: 'web-0', hostname: 'h' }] }),
    anEndpointSlice({ service: 'a', namespace: 'default', addresses: [{ pod: 'web-0', hostname: 'h' }, { pod: 'web-0', hostname: 'h' }] }),
  ];
  const names = podDnsNames(web0, eps, zone).slice(2);
  assert.deepEqual(names, [...names].sort());
  assert.equal(new Set(names).size, names.length);
  assert.equal(names.length, 16);
});

test('the zone is configurable (cluster_dns_zone)', () => {
  assert.equal(podDnsNames(web0, [], 'corp.internal')[0], '10-0-0-7.default.pod.corp.internal');
});

for (const [ip, dashed] of [['10.1.2.3', '10-1-2-3'], ['fd00::1', 'fd00--1']] as const) {
  test(`dashedIp(${ip}) = ${dashed}`, () => assert.equal(dashedIp(ip), dashed));
}

test('differs from the original: an IPv4-mapped IPv6 address loses its colons too (the original kept them, making a name SPIRE refuses)', () => {
  assert.equal(dashedIp('::ffff:10.0.0.1'), '--ffff-10-0-0-1');
});

test('EndpointSlices: a not-ready endpoint counts (as notReadyAddresses did); a terminating not-ready one does not', () => {
  const notReady = anEndpointSlice({ service: 'web', namespace: 'default', notReadyAddresses: [{ pod: 'web-0', ip: '10.0.0.7' }] });
  const terminating = anEndpointSlice({ service: 'web', namespace: 'default', notReadyAddresses: [{ pod: 'web-0', ip: '10.0.0.7', terminating: true }] });
  assert.ok(podDnsNames(web0, [notReady], zone).includes('web.default.svc'));
  assert.deepEqual(podDnsNames(web0, [terminating], zone), ['10-0-0-7.default.pod.cluster.local', '10-0-0-7.default.pod']);
});

test('EndpointSlices: an endpoint with a UID names only that pod, not a newer pod of the same name', () => {
  const old = anEndpointSlice({ service: 'web', namespace: 'default', addresses: [{ pod: 'web-0', uid: 'uid-of-an-older-web-0', ip: '10.0.0.9' }] });
  assert.deepEqual(podDnsNames(web0, [old], zone), ['10-0-0-7.default.pod.cluster.local', '10-0-0-7.default.pod']);
  const current = anEndpointSlice({ service: 'web', namespace: 'default', addresses: [{ pod: 'web-0', uid: web0.metadata.uid, ip: '10.0.0.7' }] });
  assert.ok(podDnsNames(web0, [current], zone).includes('web.default.svc'));
});

test('EndpointSlices: two slices of one Service naming the pod give its names once', () => {
  const a = anEndpointSlice({ service: 'web', name: 'web-a', namespace: 'default', addresses: [{ pod: 'web-0', ip: '10.0.0.7' }] });
  const b = anEndpointSlice({ service: 'web', name: 'web-b', namespace: 'default', addresses: [{ pod: 'web-0', ip: '10.0.0.7' }] });
  assert.deepEqual(podDnsNames(web0, [a, b], zone), podDnsNames(web0, [a], zone));
});

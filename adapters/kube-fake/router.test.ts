import assert from 'node:assert/strict';
import { test } from 'node:test';
import { route } from './router.js';

const cases: [path: string, expected: ReturnType<typeof route>][] = [
  ['/version', { kind: 'version' }],
  ['/api', { kind: 'core-versions' }],
  ['/api/v1', { kind: 'resources', group: '', version: 'v1' }],
  ['/apis', { kind: 'groups' }],
  ['/apis/apps', { kind: 'group', group: 'apps' }],
  ['/apis/apps/v1', { kind: 'resources', group: 'apps', version: 'v1' }],
  ['/openapi/v2', { kind: 'openapi', path: '/openapi/v2' }],
  ['/api/v1/pods', { kind: 'resource', group: '', version: 'v1', resource: 'pods' }],
  ['/api/v1/namespaces', { kind: 'resource', group: '', version: 'v1', resource: 'namespaces' }],
  ['/api/v1/namespaces/spire', { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'spire' }],
  ['/api/v1/namespaces/spire/status', { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'spire', subresource: 'status' }],
  ['/api/v1/namespaces/spire/pods', { kind: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'spire' }],
  ['/api/v1/namespaces/spire/pods/web-0/status', { kind: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'spire', name: 'web-0', subresource: 'status' }],
  ['/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/a', { kind: 'resource', group: 'spiffeid.spiffe.io', version: 'v1beta1', resource: 'spiffeids', namespace: 'spire', name: 'a' }],
  ['/api/v1/namespaces/spire/pods/web-0/status/extra', { kind: 'unknown' }],
  ['/metrics', { kind: 'unknown' }],
];
for (const [path, expected] of cases) {
  test(`routes ${path}`, () => assert.deepEqual(route(path), expected));
}

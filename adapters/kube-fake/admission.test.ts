import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, type AdmissionRequest, resourceMatches } from './admission.js';
import { ApiError } from './status.js';

const cases: [patterns: string[], resource: string, sub: string | undefined, expected: boolean][] = [
  [['pods'], 'pods', undefined, true],
  [['pods'], 'pods', 'status', false],
  [['*'], 'pods', undefined, true],
  [['*'], 'pods', 'status', false],
  [['*/*'], 'pods', 'status', true],
  [['pods/*'], 'pods', 'status', true],
  [['*/status'], 'spiffeids', 'status', true],
  [['pods/status'], 'pods', undefined, false],
  [['nodes'], 'pods', undefined, false],
];
for (const [patterns, resource, sub, expected] of cases) {
  test(`rule resources ${JSON.stringify(patterns)} ${expected ? 'match' : 'do not match'} ${sub ? `${resource}/${sub}` : resource}`, () => {
    assert.equal(resourceMatches(patterns, resource, sub), expected);
  });
}

const request = (operation: AdmissionRequest['operation']): AdmissionRequest => ({
  uid: 'u', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
  requestKind: { group: '', version: 'v1', kind: 'Pod' }, requestResource: { group: '', version: 'v1', resource: 'pods' },
  name: 'p', namespace: 'ns', operation, userInfo: { username: 'u', groups: [] },
  object: null, oldObject: null, dryRun: false, options: null,
});

test('a hook for a resource also sees its status subresource writes', async () => {
  const admission = new Admission();
  const seen: string[] = [];
  admission.onAdmission((req) => {
    seen.push(req.subResource ?? 'main');
    return { allowed: true };
  }, { resources: ['pods'] });
  await admission.review(request('UPDATE'));
  await admission.review({ ...request('UPDATE'), subResource: 'status' });
  assert.deepEqual(seen, ['main', 'status']);
});

test('hooks collect warnings; a denial without a code is 400 and names the hook', async () => {
  const admission = new Admission();
  admission.onAdmission(() => ({ allowed: true, warnings: ['w1'] }));
  assert.deepEqual(await admission.review(request('CREATE')), ['w1']);
  admission.onAdmission(() => ({ allowed: false }), { name: 'strict', operations: ['DELETE'] });
  assert.deepEqual(await admission.review(request('CREATE')), ['w1']);
  await assert.rejects(admission.review(request('DELETE')), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 400);
    assert.equal(err.message, 'admission webhook "strict" denied the request without explanation');
    return true;
  });
});

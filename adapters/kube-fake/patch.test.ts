import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchError, applyJsonPatch } from './json-patch.js';
import { applyMergePatch, applyStrategicMergePatch } from './merge-patch.js';

test('json patch: add, replace, remove, test, escaped keys and array append', () => {
  const doc = { metadata: { labels: { a: '1' }, finalizers: ['f1'] } };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' },
    { op: 'replace', path: '/metadata/labels/a', value: '2' },
    { op: 'add', path: '/metadata/finalizers/-', value: 'f2' },
    { op: 'remove', path: '/metadata/finalizers/0' },
    { op: 'test', path: '/metadata/labels/a', value: '2' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { a: '2', 'app.kubernetes.io/name': 'x' }, finalizers: ['f2'] } });
  assert.deepEqual(doc.metadata.finalizers, ['f1'], 'input untouched');
});

test('json patch: a failed test or missing path throws PatchError', () => {
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), PatchError);
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), PatchError);
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]), PatchError);
});

test('merge patch: null deletes, objects merge, arrays replace', () => {
  assert.deepEqual(
    applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }),
    { a: { c: 2, d: 3 }, l: [3] },
  );
});

test('strategic merge patch: containers merge by name and directives are not stored', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } };
  const out = applyStrategicMergePatch(pod, {
    spec: {
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
      containers: [{ name: 'a', image: 'a:2' }],
    },
  });
  assert.deepEqual(out, { spec: { containers: [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:2' }] } });
});

test('strategic merge patch: $patch delete removes a keyed item, finalizers union and delete', () => {
  const obj = { metadata: { finalizers: ['x'] }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  const out = applyStrategicMergePatch(obj, {
    metadata: { finalizers: ['y'], '$deleteFromPrimitiveList/finalizers': ['x'] },
    spec: { containers: [{ name: 'a', $patch: 'delete' }] },
  });
  assert.deepEqual(out, { metadata: { finalizers: ['y'] }, spec: { containers: [{ name: 'b' }] } });
});

test('strategic merge patch: $retainKeys drops unlisted keys', () => {
  const out = applyStrategicMergePatch({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, {
    strategy: { $retainKeys: ['type'], type: 'Recreate' },
  });
  assert.deepEqual(out, { strategy: { type: 'Recreate' } });
});

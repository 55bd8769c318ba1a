import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { AdmissionReviewSchema } from '../../handlers/admission-validate/admission-review.js';
import { anAdmissionReview, type AdmissionInit } from '../../test/fixtures/admission.js';
import { createLogger } from '../logger.js';
import { createPodAdmission } from './pod-admission.js';

async function setup(podLabel?: string) {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const review = createPodAdmission({
    store: memoryEntryStore(core),
    config: { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: [], ...(podLabel ? { podLabel } : {}) },
    log,
  });
  return { core, lines, review: (init: AdmissionInit) => review(v.parse(AdmissionReviewSchema, anAdmissionReview(init))) };
}

test('the decision notes become log lines with the request uid', async () => {
  const s = await setup();
  const res = await s.review({ uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, object: { metadata: { name: 'd' } } });
  assert.deepEqual(res, { uid: 'u1', allowed: true });
  assert.deepEqual(
    s.lines.filter((l) => l.level === 'warning').map((l) => [l.msg, l.uid, l.kind]),
    [['Admission review request is not for a pod', 'u1', 'apps/v1/Deployment']],
  );
  assert.equal(s.core.entries().length, 0);
});

test('an invalid identity: the response carries the warning, the log an error, SPIRE is not called', async () => {
  const s = await setup('spire-workload');
  const res = await s.review({ uid: 'u2', pod: { name: 'p', labels: { 'spire-workload': 'bad value' } } });
  assert.equal(res.allowed, true);
  assert.equal(res.warnings?.length, 1);
  assert.deepEqual(s.lines.filter((l) => l.level === 'error').map((l) => [l.msg, l.uid, l.name]), [['Pod entry not created', 'u2', 'p']]);
  assert.equal(Object.values(s.core.calls()).reduce((a, b) => a + b, 0), 0);
});

test('a pod CREATE writes its entry before the response is returned', async () => {
  const s = await setup();
  await s.review({ pod: { name: 'web-0', namespace: 'team-a', serviceAccount: 'web' } });
  assert.deepEqual(s.core.entries().map(entryFromWire).map((e) => e.spiffeId), ['spiffe://example.org/ns/team-a/sa/web']);
});

test('"Reviewing admission request" is written at debug level only', async () => {
  const s = await setup();
  await s.review({ uid: 'u3', pod: { name: 'web-1', namespace: 'team-a' } });
  assert.deepEqual(
    s.lines.filter((l) => l.msg === 'Reviewing admission request').map((l) => [l.uid, l.namespace, l.name, l.kind, l.operation]),
    [['u3', 'team-a', 'web-1', 'Pod', 'CREATE']],
  );

  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const lines: Record<string, unknown>[] = [];
  const review = createPodAdmission({
    store: memoryEntryStore(core),
    config: { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: [] },
    log: createLogger({ logLevel: 'info', logFormat: 'json' }, { write: (l: string) => lines.push(JSON.parse(l)) }),
  });
  await review(v.parse(AdmissionReviewSchema, anAdmissionReview({ uid: 'u4', pod: { name: 'web-2', namespace: 'team-a' } })));
  assert.deepEqual(lines.map((l) => l.msg), ['Created pod entry']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry, type Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { formatSelector } from '../entries/selectors.js';
import { aSpiffeId, type SpiffeIdInit } from '../../test/fixtures/spiffeid.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER, type SpiffeId } from '../spiffeid/spiffeid.js';
import { planSpiffeIdEntries, type SpiffeIdPlan } from './plan-spiffeid-entries.js';

const rules = { trustDomain: 'example.org', registrarNamespace: 'spire' };
const now = '2026-11-27T12:00:00Z';
const fin = [SPIFFEID_FINALIZER];
const plan = (ids: SpiffeId[], entries: Entry[] = []) => planSpiffeIdEntries(ids, entries, rules, now);
const withId = (s: SpiffeId, id: string, extra: Partial<Entry> = {}) => ({ ...spiffeIdEntry(s), id, ...extra });
const testId = (init: SpiffeIdInit = {}) => aSpiffeId({ finalizers: fin, ...init });
const counts = (p: SpiffeIdPlan) => [p.addFinalizer.length, p.deleteEntries.length, p.createEntries.length, p.updateEntries.length, p.statuses.length, p.releaseFinalizer.length];

test('a new SpiffeID first gets the finalizer, then (next pass) an entry: the tutorial test SpiffeID', () => {
  const first = plan([aSpiffeId()]);
  assert.deepEqual(first.addFinalizer, [{ namespace: 'default', name: 'my-test-spiffeid' }]);
  assert.equal(first.createEntries.length, 0);
  const p = plan([testId()]);
  assert.equal(p.addFinalizer.length, 0);
  assert.equal(p.createEntries.length, 1);
  const e = p.createEntries[0]?.entry as Entry;
  assert.equal(e.spiffeId, 'spiffe://example.org/test');
  assert.equal(e.parentId, 'spiffe://example.org/spire/server');
  assert.deepEqual(e.selectors.map(formatSelector), ['k8s:pod-name:my-test-pod', 'k8s:ns:default']);
});

test('tutorial node SpiffeID: entry with k8s_psat agent_node_uid and cluster selectors', () => {
  const node = testId({
    namespace: 'spire',
    name: 'minikube',
    spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
    selector: { cluster: 'k8stest', agent_node_uid: 'node-uid-1' },
  });
  const e = plan([node]).createEntries[0]?.entry as Entry;
  assert.deepEqual(e.selectors.map(formatSelector).sort(), ['k8s_psat:agent_node_uid:node-uid-1', 'k8s_psat:cluster:k8stest']);
});

test('in step: nothing to do', () => {
  const s = testId({ entryId: 'e1', conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec' }] });
  assert.deepEqual(counts(plan([s], [withId(s, 'e1')])), [0, 0, 0, 0, 0, 0]);
});

test('restart without status: the similar entry is adopted, not duplicated', () => {
  const s = testId();
  const p = plan([s], [withId(s, 'e9')]);
  assert.equal(p.createEntries.length, 0);
  assert.equal(p.statuses[0]?.status.entryId, 'e9');
});

test('entry deleted in SPIRE (status names a missing entry): it is recreated', () => {
  const s = testId({ entryId: 'gone' });
  assert.equal(plan([s]).createEntries.length, 1);
});

test('a DNS name change updates the entry in place and keeps fields the SpiffeID does not control', () => {
  const s = testId({ entryId: 'e1', dnsNames: ['new.example'] });
  const p = plan([s], [withId(s, 'e1', { dnsNames: ['old.example'], x509SvidTtl: 600 })]);
  assert.deepEqual(p.updateEntries.map((e) => [e.id, e.dnsNames, e.x509SvidTtl]), [['e1', ['new.example'], 600]]);
});

test('a SPIFFE ID change moves the entry to the new ID in place', () => {
  const before = testId({ entryId: 'e1' });
  const after = testId({ entryId: 'e1', spiffeId: 'spiffe://example.org/test2' });
  const p = plan([after], [withId(before, 'e1')]);
  assert.deepEqual(p.updateEntries.map((e) => [e.id, e.spiffeId]), [['e1', 'spiffe://example.org/test2']]);
  assert.equal(p.deleteEntries.length, 0);
});

test('deletion: the entry is deleted, then the finalizer released', () => {
  const s = testId({ entryId: 'e1', deletionTimestamp: now });
  const p = plan([s], [withId(s, 'e1')]);
  assert.deepEqual(p.deleteEntries, ['e1']);
  assert.deepEqual(p.releaseFinalizer, [{ owner: { namespace: 'default', name: 'my-test-spiffeid' }, afterDeleting: ['e1'] }]);
});

test('deletion of a SpiffeID whose entry is already gone only releases the finalizer', () => {
  const p = plan([testId({ entryId: 'e1', deletionTimestamp: now })]);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.releaseFinalizer[0]?.afterDeleting, []);
});

test('deletion without a recorded entry ID deletes the entry with its key', () => {
  const s = testId({ deletionTimestamp: now });
  assert.deepEqual(plan([s], [withId(s, 'e7')]).deleteEntries, ['e7']);
});

test('a SpiffeID being deleted without our finalizer is not ours to finish', () => {
  assert.deepEqual(counts(plan([aSpiffeId({ deletionTimestamp: now })])), [0, 0, 0, 0, 0, 0]);
});

test('an invalid SpiffeID gets no entry, a Ready=False condition saying why, and loses its old entry', () => {
  const good = testId({ entryId: 'e1' });
  const bad = testId({ entryId: 'e1', spiffeId: 'spiffe://example.org.evil/x' });
  const p = plan([bad], [withId(good, 'e1')]);
  assert.equal(p.createEntries.length, 0);
  assert.deepEqual(p.deleteEntries, ['e1']);
  const st = p.statuses[0]?.status;
  assert.equal(st?.entryId, null);
  assert.deepEqual(st?.conditions.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'InvalidSpiffeID']]);
  assert.match(st?.conditions[0]?.message ?? '', /spec\.spiffeId must begin with spiffe:\/\/example\.org/);
  assert.equal(p.problems[0]?.reason, 'InvalidSpiffeID');
});

test('two SpiffeIDs declaring the same entry: the holder keeps it, the other is masked', () => {
  const a = testId({ name: 'a', entryId: 'e1' });
  const b = testId({ name: 'b', creationTimestamp: '2020-01-01T00:00:00Z' });
  const p = plan([a, b], [withId(a, 'e1')]);
  assert.equal(p.createEntries.length, 0);
  assert.deepEqual(p.statuses.map((s) => [s.owner.name, s.status.entryId, s.status.conditions[0]?.reason]), [
    ['a', 'e1', 'EntryReady'],
    ['b', null, 'DuplicateEntry'],
  ]);
});

test('entries nobody refers to are never touched', () => {
  const stranger = newEntry({ id: 'x', spiffeId: 'spiffe://example.org/other', parentId: 'spiffe://example.org/spire/server', selectors: [] });
  assert.deepEqual(plan([], [stranger]).deleteEntries, []);
});

test('applying the plan to a store and planning again yields an empty plan', () => {
  const ids = [aSpiffeId({ name: 'a' }), aSpiffeId({ name: 'b', spiffeId: 'spiffe://example.org/b' })];
  const store = new Map<string, Entry>();
  let objects = ids;
  let n = 0;
  for (let pass = 0; pass < 3; pass++) {
    const p = plan(objects, [...store.values()]);
    for (const id of p.deleteEntries) store.delete(id);
    const created = new Map<string, string>();
    for (const c of p.createEntries) {
      const e = { ...c.entry, id: `e${++n}` };
      store.set(e.id, e);
      created.set(c.owner.name, e.id);
    }
    for (const u of p.updateEntries) store.set(u.id, u);
    objects = objects.map((s) => {
      const st = p.statuses.find((x) => x.owner.name === s.metadata.name)?.status ??
        p.createEntries.find((c) => c.owner.name === s.metadata.name)?.status;
      const entryId = created.get(s.metadata.name) ?? st?.entryId ?? s.status.entryId;
      return {
        ...s,
        metadata: { ...s.metadata, finalizers: fin },
        status: { ...s.status, conditions: [...(st?.conditions ?? s.status.conditions ?? [])], entryId },
      };
    });
  }
  const last = plan(objects, [...store.values()]);
  assert.deepEqual(counts(last), [0, 0, 0, 0, 0, 0]);
  assert.equal(new Set([...store.values()].map((e) => entryKey(e))).size, 2);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry, type Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { formatSelector, selector } from '../entries/selectors.js';
import { aSpiffeId, testRules, type SpiffeIdInit } from '../../test/fixtures/spiffeid.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER, type SpiffeId } from '../spiffeid/spiffeid.js';
import { STAND_IN_SELECTOR } from './legacy-migration.js';
import { planSpiffeIdEntries, type SpiffeIdPlan } from './plan-spiffeid-entries.js';

const P = 'k8s-workload-registrar.k8stest.';
const rules = { ...testRules, entryIdPrefix: P };
const now = '2026-11-27T12:00:00Z';
const fin = [SPIFFEID_FINALIZER];
const plan = (ids: SpiffeId[], entries: Entry[] = [], declared: ReadonlySet<string> = new Set()) => planSpiffeIdEntries(ids, entries, rules, now, declared);
const withId = (s: SpiffeId, id: string, extra: Partial<Entry> = {}) => ({ ...spiffeIdEntry(s), id, ...extra });
const testId = (init: SpiffeIdInit = {}) => aSpiffeId({ finalizers: fin, ...init });
/** The ID the registrar gives the tutorial SpiffeID's entry (prefix + the object's UID). */
const OURS = `${P}uid-my-test-spiffeid`;
const counts = (p: SpiffeIdPlan) => [
  p.addFinalizer.length,
  p.deleteEntries.length,
  p.createEntries.length,
  p.updateEntries.length,
  p.migrations.length,
  p.statuses.length,
  p.releaseFinalizer.length,
];
const ready = [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec' }];
/** An operator's entry: admin, with a TTL, for a kube-system workload. */
const operatorEntry = newEntry({
  id: 'operator-admin',
  spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin',
  parentId: 'spiffe://example.org/spire/server',
  selectors: [selector('k8s', 'ns:kube-system'), selector('k8s', 'sa:admin')],
  admin: true,
  x509SvidTtl: 3600,
});

test('a new SpiffeID first gets the finalizer, then (next pass) an entry with the ID the registrar chose', () => {
  const first = plan([aSpiffeId()]);
  assert.deepEqual(first.addFinalizer, [{ namespace: 'default', name: 'my-test-spiffeid' }]);
  assert.equal(first.createEntries.length, 0);
  const p = plan([testId()]);
  assert.equal(p.addFinalizer.length, 0);
  const e = p.createEntries[0]?.entry as Entry;
  assert.equal(e.id, OURS);
  assert.equal(p.createEntries[0]?.status.entryId, OURS);
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
  const s = testId({ entryId: OURS, conditions: ready });
  assert.deepEqual(counts(plan([s], [withId(s, OURS)])), [0, 0, 0, 0, 0, 0, 0]);
});

test('restart between create and status write: the entry with our ID is found by its ID, not duplicated', () => {
  const s = testId();
  const p = plan([s], [withId(s, OURS)]);
  assert.equal(p.createEntries.length, 0);
  assert.equal(p.statuses[0]?.status.entryId, OURS);
});

test('differs from the original: a legacy entry that status names and that matches exactly is moved to our own ID (stand-in create, update, legacy delete, then status)', () => {
  const s = testId({ entryId: 'legacy-1', conditions: ready });
  const p = plan([s], [withId(s, 'legacy-1')]);
  assert.deepEqual(counts(p), [0, 0, 0, 0, 1, 0, 0], 'nothing but the move');
  const m = p.migrations[0];
  assert.deepEqual(m?.owner, { namespace: 'default', name: 'my-test-spiffeid' });
  assert.equal(m?.create?.id, OURS);
  assert.deepEqual(m?.create?.selectors.map(formatSelector), ['k8s:pod-name:my-test-pod', 'k8s:ns:default', formatSelector(STAND_IN_SELECTOR)]);
  assert.notEqual(entryKey(m?.create as Entry), entryKey(withId(s, 'legacy-1')), 'SPIRE would refuse a create similar to the legacy entry');
  assert.deepEqual(m?.update, withId(s, OURS), 'then exactly the declared entry, under our ID');
  assert.equal(m?.deleteLegacy, 'legacy-1');
  assert.equal(m?.status.entryId, OURS);
  assert.deepEqual([...p.entryOwners.keys()].sort(), [OURS, 'legacy-1']);
});

test('a move cut short goes on from where it stopped; the legacy entry is not taken for a conflict', () => {
  const s = testId({ entryId: 'legacy-1', conditions: ready });
  const legacy = withId(s, 'legacy-1');
  // Stopped after step 1: ours exists under the stand-in key.
  const afterCreate = plan([s], [legacy, { ...withId(s, OURS), selectors: [...legacy.selectors, STAND_IN_SELECTOR] }]);
  assert.deepEqual(afterCreate.problems, []);
  assert.deepEqual(afterCreate.migrations.map((m) => [m.create, m.update?.selectors.map(formatSelector), m.deleteLegacy]), [
    [undefined, ['k8s:pod-name:my-test-pod', 'k8s:ns:default'], 'legacy-1'],
  ]);
  // Stopped after step 2: both issue the same identity; only the legacy delete (and the status) are left.
  const afterUpdate = plan([s], [legacy, withId(s, OURS)]);
  assert.deepEqual(counts(afterUpdate), [0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(afterUpdate.migrations.map((m) => [m.create, m.update, m.deleteLegacy, m.status.entryId]), [[undefined, undefined, 'legacy-1', OURS]]);
  // Stopped after step 3 (status not written): status names a gone entry, ours is held by its ID.
  const afterDelete = plan([s], [withId(s, OURS)]);
  assert.deepEqual(counts(afterDelete), [0, 0, 0, 0, 0, 1, 0]);
  assert.equal(afterDelete.statuses[0]?.status.entryId, OURS);
});

test('a legacy entry does not move before the finalizer is on; status keeps naming it', () => {
  const s = aSpiffeId({ entryId: 'legacy-1', conditions: ready });
  const p = plan([s], [withId(s, 'legacy-1')]);
  assert.deepEqual(counts(p), [1, 0, 0, 0, 0, 0, 0]);
});

test('a refused spec never moves (nor deletes) the legacy entry its status names', () => {
  const s = testId({ entryId: 'legacy-1', downstream: true });
  const p = plan([s], [withId(s, 'legacy-1')]);
  assert.equal(p.problems[0]?.reason, 'PolicyViolation');
  assert.deepEqual([p.migrations, p.deleteEntries, p.createEntries], [[], [], []]);
});

test('a SpiffeID deleted in the middle of a move deletes both our entry and the legacy one', () => {
  const s = testId({ entryId: 'legacy-1', deletionTimestamp: now });
  const p = plan([s], [withId(s, 'legacy-1'), withId(s, OURS)]);
  assert.deepEqual([...p.deleteEntries].sort(), [OURS, 'legacy-1']);
  assert.deepEqual([...(p.releaseFinalizer[0]?.afterDeleting ?? [])].sort(), [OURS, 'legacy-1']);
});

test('a spec edited after the move updates our entry in place: no entry keeps issuing the old identity', () => {
  const s = testId({ entryId: 'legacy-1', conditions: ready });
  const store = new Map<string, Entry>([['legacy-1', withId(s, 'legacy-1')]]);
  const m = plan([s], [...store.values()]).migrations[0];
  assert.ok(m?.create && m.update);
  store.set(OURS, m.create);
  store.set(OURS, m.update);
  store.delete(m.deleteLegacy);
  const edited = testId({ entryId: OURS, conditions: ready, spiffeId: 'spiffe://example.org/test-v2' });
  const p = plan([edited], [...store.values()]);
  assert.deepEqual(p.updateEntries.map((e) => [e.id, e.spiffeId]), [[OURS, 'spiffe://example.org/test-v2']]);
  assert.deepEqual([p.createEntries, p.deleteEntries, p.migrations], [[], [], []]);
});

test('a spec edited while a move was cut short still finishes the move: the legacy entry goes, ours takes the edited spec', () => {
  const s = testId({ entryId: 'legacy-1', conditions: ready });
  const legacy = withId(s, 'legacy-1');
  const standIn = { ...withId(s, OURS), selectors: [...legacy.selectors, STAND_IN_SELECTOR] };
  const edited = testId({ entryId: 'legacy-1', conditions: ready, spiffeId: 'spiffe://example.org/test-v2' });
  // Cut after step 1 (ours under the stand-in key) or after step 2 (ours as the old spec declared it).
  for (const ours of [standIn, withId(s, OURS)]) {
    const p = plan([edited], [legacy, ours]);
    assert.deepEqual(p.migrations.map((m) => [m.create, m.update?.id, m.update?.spiffeId, m.update?.selectors.map(formatSelector), m.deleteLegacy, m.status.entryId]), [
      [undefined, OURS, 'spiffe://example.org/test-v2', ['k8s:pod-name:my-test-pod', 'k8s:ns:default'], 'legacy-1', OURS],
    ], 'the legacy entry would otherwise go on issuing the old identity, and nothing would ever delete it');
    assert.deepEqual([p.createEntries, p.updateEntries, p.deleteEntries, p.problems], [[], [], [], []]);
    // Deleted instead of finished: both entries go.
    const dying = plan([{ ...edited, metadata: { ...edited.metadata, deletionTimestamp: now } }], [legacy, ours]);
    assert.deepEqual([...dying.deleteEntries].sort(), [OURS, 'legacy-1']);
  }
});

test('a move cut short after step 1 keeps the entry with the SpiffeID that started it, even when a younger one names the same legacy entry', () => {
  const a = testId({ name: 'a', uid: 'uid-a', entryId: 'legacy-1', conditions: ready, creationTimestamp: '2020-01-01T00:00:00Z' });
  const b = testId({ name: 'b', uid: 'uid-b', entryId: 'legacy-1', conditions: ready, creationTimestamp: '2024-01-01T00:00:00Z' });
  const legacy = withId(a, 'legacy-1');
  const standInA = { ...withId(a, `${P}uid-a`), selectors: [...legacy.selectors, STAND_IN_SELECTOR] };
  const p = plan([a, b], [legacy, standInA]);
  assert.deepEqual(p.migrations.map((m) => [m.owner.name, m.create, m.deleteLegacy]), [['a', undefined, 'legacy-1']]);
  assert.deepEqual(p.problems.map((x) => [x.owner.name, x.reason]), [['b', 'DuplicateEntry']]);
  assert.deepEqual(p.deleteEntries, [], "a's stand-in is not dropped");
});

test('entry deleted in SPIRE (status names a missing entry): it is recreated under our ID', () => {
  const s = testId({ entryId: 'gone' });
  assert.deepEqual(plan([s]).createEntries.map((c) => c.entry.id), [OURS]);
});

test('a DNS name change updates our entry in place and keeps fields the SpiffeID does not control', () => {
  const s = testId({ entryId: OURS, dnsNames: ['new'] });
  const p = plan([s], [withId(s, OURS, { dnsNames: ['old'], x509SvidTtl: 600 })]);
  assert.deepEqual(p.updateEntries.map((e) => [e.id, e.dnsNames, e.x509SvidTtl]), [[OURS, ['new'], 600]]);
});

test('the entry replacing an adopted legacy entry is made from the spec alone: admin, TTLs and hint are never kept from an entry we did not create', () => {
  const s = testId({ entryId: 'legacy-1', dnsNames: ['new'] });
  const p = plan([s], [withId(s, 'legacy-1', { dnsNames: ['old'], admin: true, x509SvidTtl: 600, hint: 'h' })]);
  assert.deepEqual(p.updateEntries, []);
  const m = p.migrations[0];
  assert.deepEqual([m?.create, m?.update].map((e) => [e?.id, e?.dnsNames, e?.admin, e?.x509SvidTtl, e?.hint]), [
    [OURS, ['new'], false, 0, ''],
    [OURS, ['new'], false, 0, ''],
  ]);
});

test('a SPIFFE ID change moves our entry to the new ID in place', () => {
  const before = testId({ entryId: OURS });
  const after = testId({ entryId: OURS, spiffeId: 'spiffe://example.org/test2' });
  const p = plan([after], [withId(before, OURS)]);
  assert.deepEqual(p.updateEntries.map((e) => [e.id, e.spiffeId]), [[OURS, 'spiffe://example.org/test2']]);
  assert.equal(p.deleteEntries.length, 0);
});

test('attack: status names a foreign entry -> it is ignored (never updated, never deleted), our own is created', () => {
  const s = testId({ entryId: operatorEntry.id });
  const p = plan([s], [operatorEntry]);
  assert.deepEqual(p.updateEntries, []);
  assert.deepEqual(p.migrations, []);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.createEntries.map((c) => c.entry.id), [OURS]);
  assert.equal(p.createEntries[0]?.entry.admin, false);
});

test('attack: a SpiffeID being deleted whose status names a foreign entry does not delete it', () => {
  const s = testId({ entryId: operatorEntry.id, deletionTimestamp: now });
  const p = plan([s], [operatorEntry]);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.releaseFinalizer[0]?.afterDeleting, []);
});

test('attack: a SpiffeID being deleted whose spec copies a foreign legacy entry and whose status names it does not delete it', () => {
  // Selectors of another namespace (kube-system) on a SpiffeID in default: the live path refuses this spec.
  const s = testId({
    entryId: operatorEntry.id,
    deletionTimestamp: now,
    spiffeId: operatorEntry.spiffeId,
    parentId: operatorEntry.parentId,
    selector: { namespace: 'kube-system', serviceAccount: 'admin' },
  });
  assert.equal(entryKey(spiffeIdEntry(s)), entryKey(operatorEntry), 'the spec declares exactly the operator entry');
  const p = plan([s], [operatorEntry]);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.releaseFinalizer[0]?.afterDeleting, []);
});

test('attack: an invalid SpiffeID whose status names a foreign entry does not delete it', () => {
  const s = testId({ entryId: operatorEntry.id, spiffeId: 'spiffe://example.org.evil/x' });
  assert.deepEqual(plan([s], [operatorEntry]).deleteEntries, []);
});

test('attack: status names another SpiffeID\'s entry (our prefix, another UID): ignored', () => {
  const other = testId({ name: 'other', spiffeId: 'spiffe://example.org/other', selector: { namespace: 'default', podName: 'o' } });
  const otherEntry = withId(other, `${P}uid-other`);
  const s = testId({ entryId: otherEntry.id, deletionTimestamp: now });
  const p = plan([s, { ...other, status: { entryId: otherEntry.id, conditions: ready.map((c) => ({ ...c, lastTransitionTime: now })) } }], [otherEntry]);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.updateEntries, []);
});

test('a similar entry the SpiffeID does not hold is someone else\'s: EntryConflict, untouched, ID not revealed', () => {
  const s = testId();
  const theirs = withId(s, 'someone-elses', { admin: true });
  const p = plan([s], [theirs]);
  assert.deepEqual([p.createEntries, p.updateEntries, p.migrations, p.deleteEntries], [[], [], [], []]);
  const st = p.statuses[0]?.status;
  assert.equal(st?.entryId, null);
  assert.deepEqual(st?.conditions.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'EntryConflict']]);
  assert.doesNotMatch(st?.conditions[0]?.message ?? '', /someone-elses/);
});

test('a move onto a key someone else\'s entry has is refused, and our stale entry is deleted', () => {
  const before = testId({ entryId: OURS });
  const after = testId({ entryId: OURS, spiffeId: 'spiffe://example.org/taken' });
  const theirs = withId(after, 'someone-elses');
  const p = plan([after], [withId(before, OURS), theirs]);
  assert.deepEqual(p.updateEntries, []);
  assert.deepEqual(p.deleteEntries, [OURS]);
  assert.equal(p.problems[0]?.reason, 'EntryConflict');
});

test('deletion: our entry is deleted, then the finalizer released', () => {
  const s = testId({ entryId: OURS, deletionTimestamp: now });
  const p = plan([s], [withId(s, OURS)]);
  assert.deepEqual(p.deleteEntries, [OURS]);
  assert.deepEqual(p.releaseFinalizer, [{ owner: { namespace: 'default', name: 'my-test-spiffeid' }, afterDeleting: [OURS] }]);
});

test('deletion without a recorded entry ID still finds our entry by its ID; a similar foreign entry is not deleted', () => {
  const s = testId({ deletionTimestamp: now });
  assert.deepEqual(plan([s], [withId(s, OURS)]).deleteEntries, [OURS]);
  assert.deepEqual(plan([s], [withId(s, 'e7')]).deleteEntries, []);
});

test('deletion of a SpiffeID holding an adopted legacy entry deletes it', () => {
  const s = testId({ entryId: 'legacy-1', deletionTimestamp: now });
  assert.deepEqual(plan([s], [withId(s, 'legacy-1')]).deleteEntries, ['legacy-1']);
});

test('deletion of a SpiffeID whose entry is already gone only releases the finalizer', () => {
  const p = plan([testId({ entryId: OURS, deletionTimestamp: now })]);
  assert.deepEqual(p.deleteEntries, []);
  assert.deepEqual(p.releaseFinalizer[0]?.afterDeleting, []);
});

test('a SpiffeID being deleted without our finalizer is not ours to finish', () => {
  assert.deepEqual(counts(plan([aSpiffeId({ deletionTimestamp: now })])), [0, 0, 0, 0, 0, 0, 0]);
});

test('an invalid SpiffeID gets no entry, a Ready=False condition saying why, and loses the entry we made for it', () => {
  const good = testId({ entryId: OURS });
  const bad = testId({ entryId: OURS, spiffeId: 'spiffe://example.org.evil/x' });
  const p = plan([bad], [withId(good, OURS)]);
  assert.equal(p.createEntries.length, 0);
  assert.deepEqual(p.deleteEntries, [OURS]);
  const st = p.statuses[0]?.status;
  assert.equal(st?.entryId, null);
  assert.deepEqual(st?.conditions.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'InvalidSpiffeID']]);
  assert.match(st?.conditions[0]?.message ?? '', /spec\.spiffeId must begin with spiffe:\/\/example\.org/);
  assert.equal(p.problems[0]?.reason, 'InvalidSpiffeID');
});

test('a SpiffeID the namespace policy refuses: PolicyViolation naming the rule, no entry', () => {
  const s = testId({ spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' });
  const p = plan([s]);
  assert.equal(p.createEntries.length, 0);
  const c = p.statuses[0]?.status.conditions[0];
  assert.deepEqual([c?.status, c?.reason], ['False', 'PolicyViolation']);
  assert.match(c?.message ?? '', /rule namespacePath/);
});

test('a SpiffeID the registrar\'s controllers declare is exempt from the namespace policy', () => {
  const pod = testId({
    name: 'web-0',
    spiffeId: 'spiffe://example.org/anything/the/annotation/says',
    parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1',
    selector: { namespace: 'default', podUid: 'u1', nodeName: 'n1' },
    dnsNames: ['web.other-team.svc'],
  });
  assert.equal(plan([pod]).createEntries.length, 0);
  assert.equal(plan([pod], [], new Set(['default/web-0'])).createEntries.length, 1);
});

test('two SpiffeIDs declaring the same entry: the holder keeps it, the other is masked', () => {
  const a = testId({ name: 'a', entryId: `${P}uid-a` });
  const b = testId({ name: 'b', creationTimestamp: '2020-01-01T00:00:00Z' });
  const p = plan([a, b], [withId(a, `${P}uid-a`)]);
  assert.equal(p.createEntries.length, 0);
  assert.deepEqual(p.statuses.map((s) => [s.owner.name, s.status.entryId, s.status.conditions[0]?.reason]), [
    ['a', `${P}uid-a`, 'EntryReady'],
    ['b', null, 'DuplicateEntry'],
  ]);
});

test('entries with our prefix whose SpiffeID is gone are deleted; entries nobody holds are never touched', () => {
  const stranger = newEntry({ id: 'x', spiffeId: 'spiffe://example.org/other', parentId: 'spiffe://example.org/spire/server', selectors: [] });
  const orphan = { ...stranger, id: `${P}uid-gone` };
  assert.deepEqual(plan([], [stranger, orphan]).deleteEntries, [orphan.id]);
});

test('another cluster whose name starts with ours plus a dot (one SPIRE server for both): its entries are never ours', () => {
  const theirs = newEntry({ id: 'k8s-workload-registrar.k8stest.eu.uid-1', spiffeId: 'spiffe://example.org/eu', parentId: 'spiffe://example.org/spire/server', selectors: [] });
  assert.deepEqual(plan([], [theirs]).deleteEntries, [], 'not deleted as an orphan of cluster k8stest');
  // Nor adopted through a status that names it, even with the exact key.
  const claim = testId({ name: 'eu', spiffeId: 'spiffe://example.org/eu', entryId: theirs.id });
  const p = plan([claim], [{ ...theirs, selectors: withId(claim, theirs.id).selectors, parentId: withId(claim, theirs.id).parentId }]);
  assert.deepEqual([p.updateEntries.length, p.migrations.length, p.deleteEntries.length], [0, 0, 0]);
});

test('applying the plan to a store and planning again yields an empty plan', () => {
  const legacyHolder = aSpiffeId({ name: 'c', spiffeId: 'spiffe://example.org/c', entryId: 'legacy-c' });
  const ids = [aSpiffeId({ name: 'a' }), aSpiffeId({ name: 'b', spiffeId: 'spiffe://example.org/b' }), legacyHolder];
  const store = new Map<string, Entry>([['legacy-c', withId(legacyHolder, 'legacy-c', { admin: true })]]);
  let objects = ids;
  for (let pass = 0; pass < 3; pass++) {
    const p = plan(objects, [...store.values()]);
    for (const id of p.deleteEntries) store.delete(id);
    for (const c of p.createEntries) store.set(c.entry.id, c.entry);
    for (const u of p.updateEntries) store.set(u.id, u);
    for (const m of p.migrations) {
      if (m.create) store.set(m.create.id, m.create);
      if (m.update) store.set(m.update.id, m.update);
      store.delete(m.deleteLegacy);
    }
    objects = objects.map((s) => {
      const st = p.statuses.find((x) => x.owner.name === s.metadata.name)?.status ??
        p.createEntries.find((c) => c.owner.name === s.metadata.name)?.status ??
        p.migrations.find((m) => m.owner.name === s.metadata.name)?.status;
      return {
        ...s,
        metadata: { ...s.metadata, finalizers: fin },
        status: { ...s.status, conditions: [...(st?.conditions ?? s.status.conditions ?? [])], entryId: st?.entryId ?? s.status.entryId },
      };
    });
  }
  const last = plan(objects, [...store.values()]);
  assert.deepEqual(counts(last), [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...store.keys()].sort(), [`${P}uid-a`, `${P}uid-b`, `${P}uid-c`]);
  assert.equal(new Set([...store.values()].map((e) => entryKey(e))).size, 3);
  assert.equal(store.get(`${P}uid-c`)?.admin, false);
});

// The sandbox tour for each mode, in process: every entry check of the tutorial holds (3 entries after
// the deploy, 2 after deleting the workload, unchanged after the unlabelled/unannotated workload, +1 and
// -1 for the hand-made SpiffeID), and a stray entry makes the tour fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import type { Mode } from '../../runtime/config/registrar-config.js';
import { runTour, type TourResult } from '../../runtime/sandbox/tour/run-tour.js';

/** Step id -> number of entries the tutorial expects there. */
const EXPECTED: Record<Mode, Record<string, number>> = {
  webhook: { 'entries-deployed': 3, 'entries-after-delete': 2 },
  reconcile: { 'entries-deployed': 3, 'entries-after-delete': 2, 'entries-unlabeled': 2, plan: 2 },
  crd: { 'entries-deployed': 3, 'entries-after-delete': 2, 'entries-unannotated': 2, 'spiffeids-created': 3, 'entries-spiffeid': 3, 'entries-spiffeid-deleted': 2 },
};

function checks(result: TourResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of result.steps) {
    if (!s.check) continue;
    assert.ok(s.check.ok, `${result.mode}/${s.id}: missing ${s.check.missing.join(', ')}; extra ${s.check.extra.join(', ')}`);
    out[s.id] = s.check.expected;
  }
  return out;
}

for (const mode of ['webhook', 'reconcile', 'crd'] as const) {
  test(`${mode} tour: every step's entries are the tutorial's`, async () => {
    const result = await runTour(mode, { seed: 1 });
    assert.deepEqual(checks(result), EXPECTED[mode]);
    assert.equal(result.ok, true);
    const step = (id: string) => result.steps.find((s) => s.id === id)?.output ?? '';
    assert.match(step('entries-deployed'), /^Found 3 entries\n/);
    assert.match(step('entries-after-delete'), /^Found 2 entries\n/);
    assert.match(step('log-created'), mode === 'webhook' ? /msg="Created pod entry"/ : /msg="Created new spire entry"/);
    assert.match(step('delete-workload'), /^deployment\.apps "example-workload" deleted$/);
    if (mode !== 'crd') assert.match(step('log-deleted'), mode === 'webhook' ? /msg="Deleted pod entry".*sa\/default/ : /msg="Deleted entry".*example-workload/);
    if (mode === 'crd') {
      // The SpiffeIDs before and after the hand-made one.
      assert.equal(step('spiffeids').split('\n').length, 3, 'header, node and agent');
      assert.match(step('create-spiffeid'), /^spiffeid\.spiffeid\.spiffe\.io\/my-test-spiffeid created$/);
      assert.match(step('spiffeids-created'), /default\s+my-test-spiffeid\s+spiffe:\/\/example\.org\/test\s+k8s-workload-registrar\.k8stest\.[0-9a-f-]{36}/, "the entry ID is the registrar's: prefix + SpiffeID UID");
      assert.match(step('delete-spiffeid'), /^spiffeid\.spiffeid\.spiffe\.io "my-test-spiffeid" deleted$/);
      assert.doesNotMatch(step('spiffeids-deleted'), /my-test-spiffeid/);
      assert.equal(step('spiffeids-deleted').split('\n').length, 3, 'header, node and agent');
      // Events: the SpiffeID's own, under describe; its entry created and deleted, in get events.
      assert.match(step('describe-spiffeid'), /^Events:\n {2}Type +Reason +Age +From +Message\n.*\n {2}Normal +EntryCreated +\S+ +k8s-workload-registrar +Created SPIRE entry \S+$/m);
      assert.deepEqual([...step('get-events').matchAll(/Normal +(Entry\w+) +spiffeid\/my-test-spiffeid/g)].map((m) => m[1]), ['EntryCreated', 'EntryDeleted']);
    }
    if (mode === 'reconcile') {
      assert.match(step('plan'), /^Entries: 0 to create, 0 to update, 0 to delete, 0 left alone\.\n\(exit code 0\)$/m);
    }
  });
}

test('an entry the tutorial does not expect fails the tour', async () => {
  const stray = newEntry({ spiffeId: 'spiffe://example.org/stray', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: 'uid:0' }] });
  const result = await runTour('webhook', { seed: 1, stableMs: 50, timeoutMs: 1_000, prepare: async (s) => void (await s.spire?.entryStore.createEntries([stray])) });
  assert.equal(result.ok, false);
  const failed = result.steps.find((s) => s.id === 'entries-deployed')?.check;
  assert.deepEqual(failed?.extra, ['spiffe://example.org/stray <- spiffe://example.org/spire/server [unix:uid:0]']);
  assert.deepEqual(failed?.missing, []);
});

// A watch connection cut, and the re-watch answered 410 Gone (history compacted while disconnected): the
// informers re-list and diff against their caches, so the delete made meanwhile is not lost, in both modes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFaultWorld } from './watch-world.js';

for (const mode of ['reconcile', 'crd'] as const) {
  test(`${mode}: a 410 Gone on re-watch re-lists; changes made meanwhile are applied exactly`, async (t) => {
    const w = await startFaultWorld(t, mode, { pods: ['a', 'b', 'c'] });
    await w.start();
    const listsBefore = w.kube.requestCounts()['list pods'] ?? 0;
    w.kube.answerGoneOnRewatch();
    w.kube.stallWatches(); // nothing more arrives on the open watches ...
    w.deletePod('a');
    w.putPod('d');
    w.kube.dropWatches('destroy'); // ... then they are cut, and each resource's re-watch gets 410
    await w.settlesTo(['b', 'c', 'd']);
    assert.equal(w.kube.requestCounts()['list pods'], listsBefore + 1, 'pods re-listed once');
    assert.ok(w.logs().some((l) => l.msg === 'Informer resource version expired; re-listing' && l.resource === 'pods'));
  });
}

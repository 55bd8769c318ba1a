// A stalled watch: the connection stays open and nothing arrives, not even bookmarks. The informers give
// such a watch up after 60 s of silence on the injected clock (the test steps it; nothing sleeps), re-watch
// from their last resourceVersion, and the deletes made during the stall reach SPIRE: no orphan entry is
// left, nothing else changes. The resync is 600 s away on the same clock, so it cannot be what repairs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../fixtures/manual-clock.js';
import { startFaultWorld } from './watch-world.js';

const STALL_BOUND_MS = 60_000;

for (const mode of ['reconcile', 'crd'] as const) {
  test(`${mode}: deletes made during a watch stall are reflected once the stall bound passes`, async (t) => {
    const clock = manualClock();
    const w = await startFaultWorld(t, mode, { clock, pods: ['a', 'b', 'c'] });
    await w.start();
    w.kube.stallWatches();
    const watches = () => w.kube.requestCounts()['watch pods'] ?? 0;
    const before = watches();
    w.deletePod('a');
    w.deletePod('b');
    w.putPod('d');
    await clock.advance(STALL_BOUND_MS - 1);
    assert.equal(watches(), before, 'the stalled watch is kept until the bound');
    await clock.advance(1);
    await w.settlesTo(['c', 'd']);
    assert.equal(watches(), before + 1, 'one re-watch');
    assert.ok(w.logs().some((l) => l.msg === 'Informer watch silent too long; re-watching' && l.resource === 'pods'));
  });
}

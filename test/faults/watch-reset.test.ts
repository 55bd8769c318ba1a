// Watch connections cut under the registrar (ECONNRESET on every open watch) while pods come and go: the
// informers re-watch from their last resourceVersion and SPIRE ends exactly in step, in both modes.
import { test } from 'node:test';
import { startFaultWorld } from './watch-world.js';

for (const mode of ['reconcile', 'crd'] as const) {
  test(`${mode}: changes made around a watch reset are all applied, nothing lost, duplicated or orphaned`, async (t) => {
    const w = await startFaultWorld(t, mode, { pods: ['a', 'b', 'c'] });
    await w.start();
    w.kube.dropWatches('destroy');
    w.deletePod('a');
    w.putPod('d');
    await w.settlesTo(['b', 'c', 'd']);
    w.kube.dropWatches('destroy');
    w.deletePod('b');
    w.kube.dropWatches('destroy');
    w.putPod('e');
    await w.settlesTo(['c', 'd', 'e']);
  });
}

// The API server goes away (connections cut, then refused) and comes back on the same address, with pods
// changed while it was unreachable; once with its watch history intact, once with it gone (the re-watch
// answers 410 and the informers re-list). SPIRE ends exactly in step in both modes.
import { test } from 'node:test';
import { waitUntil } from '../fixtures/wait-until.js';
import { startFaultWorld, type FaultWorld } from './watch-world.js';

/** Waits until the registrar has seen the API server refuse a connection (it noticed the outage). */
async function sawRefused(w: FaultWorld): Promise<void> {
  await waitUntil('the registrar to see the API server refuse a connection', () =>
    w.logs().some((l) => JSON.stringify(l.err ?? '').includes('ECONNREFUSED')),
  );
}

for (const mode of ['reconcile', 'crd'] as const) {
  for (const history of ['kept', 'lost'] as const) {
    test(`${mode}: API server down and back (watch history ${history}); changes made meanwhile are applied exactly`, async (t) => {
      const w = await startFaultWorld(t, mode, { pods: ['a', 'b', 'c'] });
      await w.start();
      await w.kube.goDown();
      w.deletePod('a');
      w.putPod('d');
      await sawRefused(w);
      if (history === 'lost') w.kube.answerGoneOnRewatch();
      await w.kube.comeBack();
      await w.settlesTo(['b', 'c', 'd']);
    });
  }
}

// One shape for the watch and API fault tests in reconcile and crd mode: a world (fake API server,
// in-memory SPIRE server, one registrar replica running the real mode code) with a node, labelled or
// annotated pods, and two entries the registrar does not own; and the exact SPIRE state (and, in crd
// mode, the exact SpiffeID set) expected for a given set of pods. Resync is set far out (600 s) so what a
// test sees came through the informers, and the clock can be a manual one the test drives.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import type { Clock } from '../../runtime/clock.js';
import { describeEntries as describeCrdEntries, startCrdWorld } from '../integration/crd-harness.js';
import { ROOT, describeEntries, startWorld } from '../integration/reconcile-harness.js';
import { waitUntil } from '../fixtures/wait-until.js';

export type FaultMode = 'reconcile' | 'crd';
export type LogLine = { readonly msg: string; readonly [k: string]: unknown };

export type FaultWorld = {
  readonly mode: FaultMode;
  readonly kube: FakeKubeApi;
  /** Starts the registrar and waits until SPIRE holds the state for the pods that exist. */
  start(): Promise<void>;
  /** Adds a pod (straight into the store: works while the API server is down). */
  putPod(name: string): void;
  /** Deletes a pod (straight into the store; in crd mode the garbage collector then deletes its SpiffeID). */
  deletePod(name: string): void;
  /** The registrar's log lines so far. */
  logs(): readonly LogLine[];
  /** Waits until the state is exactly the one expected for `pods`, then asserts it (and its SpiffeIDs). */
  settlesTo(pods: readonly string[]): Promise<void>;
};

const NODE = 'minikube';
const CRD_NODE_ID = `spiffe://example.org/k8s-workload-registrar/k8stest/node/${NODE}`;
const UNOWNED = [
  // Someone else's: a parent the registrar never makes, selectors that name a pod it manages.
  newEntry({ spiffeId: 'spiffe://example.org/other', parentId: 'spiffe://example.org/spire/agent/x', selectors: [selector('k8s', 'ns:spire'), selector('k8s', 'pod-name:a')] }),
  // An operator's, under the node entries the registrar makes, with selectors that name no pod.
  newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: `${ROOT}/${NODE}`, selectors: [selector('unix', 'uid:0')] }),
  newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: CRD_NODE_ID, selectors: [selector('unix', 'uid:0')] }),
];

/**
 * Waits until every collection the registrar listed has its watch open on the server, so that a fault
 * injected next (stallWatches) meets every watch and none is still on its way.
 */
export async function watchesOpen(kube: FakeKubeApi): Promise<void> {
  await waitUntil('every informer watching', () => {
    const counts = kube.requestCounts();
    const listed = Object.keys(counts).filter((k) => k.startsWith('list ')).map((k) => k.slice('list '.length));
    return listed.length > 0 && listed.every((r) => (counts[`watch ${r}`] ?? 0) > 0) && kube.watchCount === listed.length;
  });
}

export async function startFaultWorld(t: TestContext, mode: FaultMode, opts: { clock?: Clock; pods: readonly string[] }): Promise<FaultWorld> {
  let logs: readonly LogLine[] = [];
  const deps = opts.clock ? { clock: opts.clock, eventBatchMs: 0 } : {};
  if (mode === 'reconcile') {
    const w = await startWorld(t);
    const expected = (pods: readonly string[]) =>
      describeEntries([
        ...UNOWNED,
        newEntry({ spiffeId: `${ROOT}/${NODE}`, parentId: 'spiffe://example.org/spire/server', selectors: [selector('k8s_psat', 'cluster:k8stest'), selector('k8s_psat', 'agent_node_name:minikube')] }),
        ...pods.map((p) => newEntry({ spiffeId: `spiffe://example.org/${p}`, parentId: `${ROOT}/${NODE}`, selectors: [selector('k8s', 'ns:spire'), selector('k8s', `pod-name:${p}`)] })),
      ]);
    const world: FaultWorld = {
      mode,
      kube: w.kube,
      async start() {
        await w.spire.entryStore.createEntries(UNOWNED);
        w.putNode(NODE);
        for (const p of opts.pods) world.putPod(p);
        const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 }, deps);
        logs = reg.logs;
        await reg.ready;
        await world.settlesTo(opts.pods);
        await watchesOpen(w.kube);
      },
      putPod: (name) => w.putPod({ name, namespace: 'spire', nodeName: NODE, labels: { 'spire-workload': name } }),
      deletePod: (name) => w.deletePod(name),
      logs: () => logs,
      async settlesTo(pods) {
        const want = expected(pods);
        const have = () => describeEntries(w.entries());
        await waitUntil(`the entries of ${pods.join(',')}`, () => have().join('\n') === want.join('\n')).catch(() => {});
        assert.deepEqual(have(), want);
      },
    };
    return world;
  }

  const w = await startCrdWorld(t);
  const nodeId = CRD_NODE_ID;
  const expected = (pods: readonly string[]) =>
    describeCrdEntries([
      ...UNOWNED,
      newEntry({ spiffeId: nodeId, parentId: 'spiffe://example.org/spire/server', selectors: [selector('k8s_psat', 'cluster:k8stest'), selector('k8s_psat', `agent_node_uid:${NODE}-uid`)] }),
      ...pods.map((p) =>
        newEntry({ spiffeId: `spiffe://example.org/${p}`, parentId: nodeId, selectors: [selector('k8s', `node-name:${NODE}`), selector('k8s', 'ns:spire'), selector('k8s', `pod-uid:${p}-uid`)], dnsNames: [p] }),
      ),
    ]);
  const world: FaultWorld = {
    mode,
    kube: w.kube,
    async start() {
      await w.spire.entryStore.createEntries(UNOWNED);
      w.putNode(NODE, `${NODE}-uid`);
      for (const p of opts.pods) world.putPod(p);
      const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 }, deps);
      logs = reg.logs;
      await reg.ready;
      await world.settlesTo(opts.pods);
      await watchesOpen(w.kube);
    },
    putPod: (name) => w.putPod({ name, namespace: 'spire', uid: `${name}-uid`, nodeName: NODE, annotations: { 'spiffe.io/spiffe-id': name } }),
    deletePod: (name) => void w.kube.store.deleteObject('v1', 'Pod', name, 'spire'),
    logs: () => logs,
    async settlesTo(pods) {
      const want = expected(pods);
      const have = () => describeCrdEntries(w.entries());
      // Every SpiffeID (pods' in spire, the node's in the registrar's namespace) points at a live entry,
      // and none is left half-deleted.
      const spiffeIds = () =>
        w.spiffeIds().map((s) => {
          const entryId = (s.status as { entryId?: string } | undefined)?.entryId;
          const live = w.entries().some((e) => e.id === entryId);
          return `${s.metadata.name}${live ? '' : ' (no entry)'}${s.metadata.deletionTimestamp ? ' (deleting)' : ''}`;
        }).sort();
      const wantIds = [NODE, ...pods].sort();
      const done = () => have().join('\n') === want.join('\n') && spiffeIds().join() === wantIds.join();
      await waitUntil(`the entries and SpiffeIDs of ${pods.join(',')}`, done).catch(() => {});
      assert.deepEqual(have(), want);
      assert.deepEqual(spiffeIds(), wantIds);
    },
  };
  return world;
}

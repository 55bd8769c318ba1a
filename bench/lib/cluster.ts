// The bench harness's world, in the harness process: the fake Kubernetes API server over real HTTP and
// the in-memory SPIRE server on a real Unix socket, seeded straight into their stores (no HTTP) so that
// 10,000 pods take well under a second. The registrar under test runs in its own process.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../adapters/kube-fake/index.js';
import { entryToWire } from '../../adapters/spire/entry-convert.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { entryKey } from '../../handlers/entries/entry-key.js';
import { NodeSchema } from '../../handlers/k8s/node.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import { nodeEntries } from '../../handlers/node-reconcile/node-entries.js';
import { podEntries } from '../../handlers/pod-reconcile/pod-entries.js';
import { trackEntries, type EntryTracker } from './entry-tracker.js';

export const TRUST_DOMAIN = 'example.org';
export const CLUSTER = 'k8stest';
export const POD_LABEL = 'spire-workload';
export const POD_ANNOTATION = 'spiffe.io/spiffe-id';
export const REGISTRAR_NAMESPACE = 'spire';
/** Pods spread over this many namespaces. */
export const NAMESPACES = 20;

/** The reconcile-mode settings the expected entries are rendered with (the tutorial's config). */
export const reconcileRenderConfig = {
  trustDomain: TRUST_DOMAIN,
  cluster: CLUSTER,
  controllerName: 'spire-k8s-registrar',
  podLabel: POD_LABEL,
  disabledNamespaces: ['kube-system', 'kube-public'],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local.',
} as const;

export type BenchWorld = {
  readonly dir: string;
  readonly kube: FakeKubeApi;
  readonly spire: MemorySpireServer;
  readonly tracker: EntryTracker;
  readonly nodeNames: readonly string[];
  close(): Promise<void>;
};

export type WorldOptions = {
  readonly nodes: number;
  readonly pods: number;
  /** Register the SpiffeID CRD (crd mode). */
  readonly crd?: boolean;
  /** Watch history kept by the fake API server (churn needs more than the default). */
  readonly historyLimit?: number;
};

export function namespaceOf(i: number): string {
  return `bench-${i % NAMESPACES}`;
}

/** A scheduled, running pod with both the reconcile-mode label and the crd-mode annotation. */
export function benchPod(i: number, nodeCount: number, prefix = 'pod'): KubeObject {
  const name = `${prefix}-${i}`;
  const app = `app-${i % 200}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespaceOf(i),
      uid: `uid-${name}`,
      labels: { [POD_LABEL]: app, app },
      annotations: { [POD_ANNOTATION]: `ns/${namespaceOf(i)}/${app}` },
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      serviceAccountName: 'default',
      nodeName: `node-${i % nodeCount}`,
      containers: [{ name: 'app', image: 'ghcr.io/example/app:1' }],
    },
    status: { phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  };
}

export function benchNode(i: number): KubeObject {
  const name = `node-${i}`;
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `node-uid-${name}` } };
}

export async function startBenchWorld(o: WorldOptions): Promise<BenchWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-bench-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };
  try {
    const namespaces = ['default', 'kube-system', 'kube-public', REGISTRAR_NAMESPACE, ...Array.from({ length: NAMESPACES }, (_, i) => namespaceOf(i))];
    const kube = await startFakeKubeApi({ namespaces, historyLimit: o.historyLimit ?? 50_000 });
    closers.push(() => kube.close());
    if (o.crd) await registerSpiffeIdCrd(kube);
    const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), trustDomain: TRUST_DOMAIN });
    closers.push(() => spire.close());
    const nodeNames: string[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const node = benchNode(i);
      kube.store.putObject(node);
      nodeNames.push(node.metadata.name as string);
    }
    for (let i = 0; i < o.pods; i++) kube.store.putObject(benchPod(i, o.nodes));
    const tracker = trackEntries(spire.core);
    return { dir, kube, spire, tracker, nodeNames, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function registerSpiffeIdCrd(kube: FakeKubeApi): Promise<void> {
  const crd = parseYaml(await readFile(new URL('../../deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml', import.meta.url), 'utf8'));
  const res = await fetch(`${kube.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(crd),
  });
  if (res.status !== 201) throw new Error(`register the SpiffeID CRD: HTTP ${res.status} ${await res.text()}`);
}

/** The entries reconcile mode should hold for the world's nodes and pods, rendered by the pure handlers. */
export function expectedReconcileEntries(world: BenchWorld): Entry[] {
  const nodes = world.kube.store.list('v1', 'Node').map((n) => v.parse(NodeSchema, n));
  const pods = world.kube.store.list('v1', 'Pod').map((p) => v.parse(PodSchema, p));
  const n = nodeEntries(nodes, reconcileRenderConfig);
  const p = podEntries(pods, [], reconcileRenderConfig);
  return [...n.declared, ...p.declared].map((d) => d.entry);
}

/** Puts entries straight into the server (a registrar that already did its work); call counters reset. */
export async function seedSpire(world: BenchWorld, entries: readonly Entry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000) {
    const res = await world.spire.core.batchCreateEntry({ entries: entries.slice(i, i + 1000).map(entryToWire) });
    const bad = res.results.find((r) => r.status.code !== 0);
    if (bad) throw new Error(`seed SPIRE: ${bad.status.message}`);
  }
  world.spire.core.resetCalls();
}

/** Entry keys the server holds, for "exactly the desired entries" checks. */
export function heldKeys(world: BenchWorld): Set<string> {
  return new Set(
    world.spire.core.entries().map((e) =>
      entryKey({
        spiffeId: `spiffe://${e.spiffe_id?.trust_domain}${e.spiffe_id?.path}`,
        parentId: `spiffe://${e.parent_id?.trust_domain}${e.parent_id?.path}`,
        selectors: e.selectors,
      }),
    ),
  );
}

export function sameKeys(held: ReadonlySet<string>, want: readonly Entry[]): boolean {
  return held.size === want.length && want.every((e) => held.has(entryKey(e)));
}

// The CPU a SpiffeID write costs the registrar's process, by transport: the writer over client-node's
// CustomObjectsApi (on the keep-alive agent) against the writer over the lean JSON client
// (runtime/kube/kube-json-client.ts). The fake API server runs in a child process (bench/lib/kube-fake-child.ts),
// so this process's CPU time (process.cpuUsage: user + system, GC included) is the client's alone.
// Per round and transport: N creates (with the finalizer), N status merge patches, N finalizer releases
// (merge patches, each with the resourceVersion it saw), N deletes, 16 in flight as a crd pass sends them; rounds alternate the order of the
// two transports; the first round warms up and is not counted. Prints µs of CPU per write (median of the
// rounds) per kind.
//   node --import tsx bench/crd-write-cost.ts [--writes=2000] [--rounds=5] [--tls=1]
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '../adapters/client-node.js';
import { makeKubeConfig } from '../adapters/kube-fake/kubeconfig.js';
import { SPIFFEID_GROUP, SPIFFEID_PLURAL, SPIFFEID_VERSION } from '../handlers/spiffeid/spiffeid.js';
import { declaredSpec } from '../handlers/spiffeid/declared-spiffeid.js';
import type { DeclaredSpiffeId } from '../handlers/spiffeid/declared-spiffeid.js';
import { kubeSpiffeIdWriter } from '../runtime/crd/spiffeid-writer.kube.js';
import type { SpiffeIdWriter } from '../runtime/crd/spiffeid-writer.js';
import { forEachLimit } from '../runtime/for-each-limit.js';
import { parseArgs } from './lib/args.js';
import { runIfMain } from './lib/main.js';
import { round } from './lib/stats.js';

export const writeCostDefaults = { writes: 2000, rounds: 5, tls: 1 };
type Transport = 'client-node' | 'auto';
const KINDS = ['create', 'status', 'release', 'delete'] as const;
type Kind = (typeof KINDS)[number];
const FINALIZER = 'finalizers.spiffeid.spiffe.io';
const IN_FLIGHT = 16;

const cpuUs = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return u.user + u.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function startChild(tls: boolean): Promise<{ child: ChildProcess; url: string; caPem?: string }> {
  const child = fork(fileURLToPath(new URL('./lib/kube-fake-child.ts', import.meta.url)), [tls ? 'tls' : 'plain'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const info = await new Promise<{ url: string; caPem?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; caPem?: string }));
    child.once('exit', (code) => reject(new Error(`fake API server process exited (${code})`)));
  });
  return { child, ...info };
}

function declared(prefix: string, i: number): DeclaredSpiffeId {
  const name = `${prefix}-${i}`;
  return {
    namespace: 'spire',
    name,
    labels: { podUid: `uid-${name}` },
    owner: { apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: 'owner-uid', controller: true, blockOwnerDeletion: false },
    spec: declaredSpec({ parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n', spiffeId: `spiffe://example.org/ns/spire/pod/${name}`, selector: { podUid: `uid-${name}`, namespace: 'spire' } }),
  };
}

/** One round of one transport: CPU µs per write of each kind. */
async function oneRound(writer: SpiffeIdWriter, prefix: string, n: number, resourceVersions: () => Promise<Map<string, string>>): Promise<Record<Kind, number>> {
  const items = Array.from({ length: n }, (_, i) => declared(prefix, i));
  const out = {} as Record<Kind, number>;
  let t = process.cpuUsage();
  const stored = new Array<{ uid: string; resourceVersion: string } | undefined>(n);
  await forEachLimit(items, IN_FLIGHT, async (d, i) => {
    const s = await writer.create(d, [FINALIZER]);
    if (!s) throw new Error(`create ${d.name}: no object answered`);
    stored[i] = { uid: s.metadata.uid, resourceVersion: s.metadata.resourceVersion ?? '' };
  });
  out.create = cpuUs(t) / n;
  // The status patch carries the created resourceVersion, as a pass does.
  t = process.cpuUsage();
  await forEachLimit(items, IN_FLIGHT, async (d, i) => {
    const s = stored[i] as { uid: string; resourceVersion: string };
    await writer.writeStatus({ namespace: d.namespace, name: d.name, uid: s.uid, resourceVersion: s.resourceVersion, finalizers: [FINALIZER] }, {
      entryId: `entry-${i}`,
      conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'entry is in SPIRE', lastTransitionTime: '2026-11-30T00:00:00Z' }],
    });
  });
  out.status = cpuUs(t) / n;
  // The release carries the resourceVersion the status write left (as a pass carries the informer's),
  // read back with one list outside the timed part.
  const seen = await resourceVersions();
  t = process.cpuUsage();
  await forEachLimit(items, IN_FLIGHT, async (d, i) => {
    const s = stored[i] as { uid: string };
    await writer.releaseFinalizer({ namespace: d.namespace, name: d.name, uid: s.uid, resourceVersion: seen.get(d.name) ?? '', finalizers: [FINALIZER] }, FINALIZER);
  });
  out.release = cpuUs(t) / n;
  t = process.cpuUsage();
  await forEachLimit(items, IN_FLIGHT, async (d, i) => {
    await writer.delete({ namespace: d.namespace, name: d.name }, (stored[i] as { uid: string }).uid);
  });
  out.delete = cpuUs(t) / n;
  return out;
}

export type WriteCost = Record<Transport, Record<Kind, number>>;

export async function crdWriteCost(p: typeof writeCostDefaults): Promise<WriteCost> {
  const server = await startChild(p.tls === 1);
  try {
    const kc = makeKubeConfig({ server: server.url, ...(server.caPem ? { caPem: server.caPem } : {}) });
    const writers: Record<Transport, SpiffeIdWriter> = {
      'client-node': kubeSpiffeIdWriter(kc, { transport: 'client-node' }),
      auto: kubeSpiffeIdWriter(kc),
    };
    const lister = kc.makeApiClient(CustomObjectsApi);
    const resourceVersions = async () => {
      const list = (await lister.listNamespacedCustomObject({ group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, namespace: 'spire', plural: SPIFFEID_PLURAL })) as {
        items: { metadata: { name: string; resourceVersion: string } }[];
      };
      return new Map(list.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
    };
    const samples: Record<Transport, Record<Kind, number[]>> = {
      'client-node': { create: [], status: [], release: [], delete: [] },
      auto: { create: [], status: [], release: [], delete: [] },
    };
    for (let r = 0; r <= p.rounds; r++) {
      const order: Transport[] = r % 2 === 0 ? ['client-node', 'auto'] : ['auto', 'client-node'];
      for (const tr of order) {
        const cost = await oneRound(writers[tr], `r${r}-${tr === 'auto' ? 'lean' : 'cn'}`, p.writes, resourceVersions);
        if (r === 0) continue; // warm-up
        for (const k of KINDS) samples[tr][k].push(cost[k]);
      }
    }
    const med = (tr: Transport) => Object.fromEntries(KINDS.map((k) => [k, round(median(samples[tr][k]), 1)])) as Record<Kind, number>;
    return { 'client-node': med('client-node'), auto: med('auto') };
  } finally {
    // Already gone if the fake API server died: disconnecting then throws and would hide the real error.
    if (server.child.connected) server.child.disconnect();
  }
}

runIfMain(import.meta.url, async (argv) => {
  const p = parseArgs(argv, writeCostDefaults);
  const cost = await crdWriteCost(p);
  process.stdout.write(`CPU µs per write in the client process (median of ${p.rounds} rounds of ${p.writes}, ${IN_FLIGHT} in flight, ${p.tls ? 'HTTPS' : 'HTTP'}):\n`);
  process.stdout.write(`${'write'.padEnd(34)}${'client-node'.padStart(12)}${'lean'.padStart(10)}${'ratio'.padStart(8)}\n`);
  const label: Record<Kind, string> = {
    create: 'create (POST, answer parsed)',
    status: 'status merge patch',
    release: 'finalizer merge patch',
    delete: 'delete (uid precondition)',
  };
  for (const k of KINDS) {
    const a = cost['client-node'][k];
    const b = cost.auto[k];
    process.stdout.write(`${label[k].padEnd(34)}${String(a).padStart(12)}${String(b).padStart(10)}${String(round(a / b, 2)).padStart(8)}\n`);
  }
});

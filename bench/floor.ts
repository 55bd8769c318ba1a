// The floor for the cold start: the least work that gets the same entries into SPIRE. Lists the nodes
// and pods from the API server (pages of 500, as the registrar's informers do), builds reconcile mode's
// entries inline, and sends them in batches of 50 over the gRPC socket. Nothing else: no informers, no
// diff, no logging. Run as its own process by cold-start.ts; prints one JSON line with its timings.
//   node --import tsx bench/floor.ts --api http://127.0.0.1:PORT --socket /path/api.sock
import { performance } from 'node:perf_hooks';
import { connectSpire } from '../adapters/spire/connect.js';
import { newEntry, type Entry } from '../handlers/entries/entry.js';

type Meta = { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
type Obj = { metadata: Meta; spec?: { nodeName?: string } };

const TD = 'example.org';
const ROOT = `spiffe://${TD}/spire-k8s-registrar/k8stest/node`;

async function listAll(api: string, path: string): Promise<Obj[]> {
  const out: Obj[] = [];
  let token = '';
  do {
    const res = await fetch(`${api}${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    if (!res.ok) throw new Error(`list ${path}: HTTP ${res.status}`);
    const body = (await res.json()) as { items: Obj[]; metadata: { continue?: string } };
    out.push(...body.items);
    token = body.metadata.continue ?? '';
  } while (token);
  return out;
}

function entriesFor(nodes: readonly Obj[], pods: readonly Obj[]): Entry[] {
  const out: Entry[] = [];
  for (const n of nodes) {
    out.push(newEntry({
      spiffeId: `${ROOT}/${n.metadata.name}`,
      parentId: `spiffe://${TD}/spire/server`,
      selectors: [{ type: 'k8s_psat', value: `agent_node_name:${n.metadata.name}` }, { type: 'k8s_psat', value: 'cluster:k8stest' }],
    }));
  }
  for (const p of pods) {
    const label = p.metadata.labels?.['spire-workload'];
    const ns = p.metadata.namespace ?? 'default';
    if (!label || !p.spec?.nodeName || p.metadata.deletionTimestamp || ns === 'kube-system' || ns === 'kube-public') continue;
    out.push(newEntry({
      spiffeId: `spiffe://${TD}/${label}`,
      parentId: `${ROOT}/${p.spec.nodeName}`,
      selectors: [{ type: 'k8s', value: `ns:${ns}` }, { type: 'k8s', value: `pod-name:${p.metadata.name}` }],
    }));
  }
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    const value = i >= 0 ? argv[i + 1] : undefined;
    if (!value) throw new Error(`usage: floor.ts --api <url> --socket <path> (missing ${name})`);
    return value;
  };
  const api = arg('--api');
  const socket = arg('--socket');
  const started = performance.now();
  const spire = await connectSpire({ serverAddress: `unix://${socket}`, trustDomain: TD, batchSizes: { create: 50 } });
  const [nodes, pods] = await Promise.all([listAll(api, '/api/v1/nodes'), listAll(api, '/api/v1/pods')]);
  const listed = performance.now();
  const entries = entriesFor(nodes, pods);
  const results = await spire.entries.createEntries(entries);
  const done = performance.now();
  await spire.close();
  const failed = results.filter((r) => r.status.code !== 0).length;
  process.stdout.write(`${JSON.stringify({ entries: entries.length, failed, listMs: listed - started, totalMs: done - started })}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`floor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

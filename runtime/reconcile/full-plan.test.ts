// The sliced full plan against the one diff over everything it replaced, on seeded random clusters and
// SPIRE contents: held entries to keep, update, take over and delete, duplicates, foreign entries and
// entries of objects the cluster no longer has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffEntries } from '../../handlers/entries/diff-entries.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import { reconcileOwnership, type Ownership } from '../../handlers/entries/ownership.js';
import { selector } from '../../handlers/entries/selectors.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { nodeEntries, nodeRootId } from '../../handlers/node-reconcile/node-entries.js';
import { podEntries, type PodEntriesConfig } from '../../handlers/pod-reconcile/pod-entries.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { fullPlan } from './full-plan.js';
import { OwnedIndex } from './owned-index.js';
import { seededRandom } from '../../test/fixtures/seeded-random.js';

const cfg: PodEntriesConfig = {
  trustDomain: 'example.org',
  controllerName: 'spire-k8s-registrar',
  cluster: 'k8stest',
  podLabel: 'spire-workload',
  disabledNamespaces: ['kube-system'],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local',
};


const render = (nodes: readonly Node[], pods: readonly Pod[]) => {
  const n = nodeEntries(nodes, cfg);
  const p = podEntries(pods, [], cfg);
  return { declared: [...n.declared, ...p.declared], issues: [...n.issues, ...p.issues] };
};

function randomCluster(rand: () => number): { nodes: Node[]; pods: Pod[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const nodeNames = ['n0', 'n1', 'n2', 'n3', 'Bad_Node'].filter(() => rand() < 0.7);
  const nodes = nodeNames.map((name) => aNode({ name }));
  const pods: Pod[] = [];
  for (const namespace of ['a', 'b', 'kube-system']) {
    for (let i = 0; i < 8; i++) {
      if (rand() < 0.3) continue;
      const label = rand() < 0.8 ? { 'spire-workload': pick(['web', 'db', 'x', 'Bad Value']) } : undefined;
      pods.push(aPod({
        name: `p${i}`, namespace, nodeName: pick(['n0', 'n1', 'n2', 'n3', '']),
        ...(label ? { labels: label } : {}),
        ...(rand() < 0.1 ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      }));
    }
  }
  return { nodes, pods };
}

/** SPIRE's contents: entries of an earlier cluster (some changed, some twice) and foreign entries. */
function randomHeld(rand: () => number, now: { nodes: Node[]; pods: Pod[] }): Entry[] {
  // Half the time SPIRE was last reconciled against this very cluster: most objects are then in sync.
  const earlier = rand() < 0.5 ? now : randomCluster(rand);
  const out: Entry[] = [];
  let id = 0;
  const nextId = () => `id-${String(Math.floor(rand() * 1000)).padStart(3, '0')}-${id++}`;
  for (const { entry } of render(earlier.nodes, earlier.pods).declared) {
    const changed = rand() < 0.2 ? { ...entry, x509SvidTtl: 60 } : rand() < 0.1 ? { ...entry, dnsNames: ['x.test'] } : entry;
    out.push({ ...changed, id: nextId() });
    if (rand() < 0.15) out.push({ ...entry, id: nextId() });
  }
  for (let i = 0; i < 3; i++) {
    if (rand() < 0.5) {
      out.push(newEntry({
        id: nextId(), spiffeId: 'spiffe://example.org/operator/thing', parentId: 'spiffe://example.org/spire/server',
        selectors: [selector('k8s', `ns:a`), selector('k8s', `pod-name:p${i}`)],
      }));
    }
  }
  return out;
}

test('the sliced full plan equals one diff over every object (300 random clusters, slice sizes 1–7)', () => {
  const rand = seededRandom(22);
  const own = reconcileOwnership(nodeRootId(cfg), cfg.cluster);
  let nonEmpty = 0;
  let inSync = 0;
  for (let round = 0; round < 300; round++) {
    const { nodes, pods } = randomCluster(rand);
    const index = new OwnedIndex(own);
    index.reset(randomHeld(rand, { nodes, pods }));
    const known: Ownership = { objectOf: (e) => index.heldObjectOf(e) ?? own.objectOf(e) };
    const whole = render(nodes, pods);
    const want = diffEntries(whole.declared, index.entries(), known);
    const got = fullPlan({
      nodes, pods, render, own: known,
      entriesOf: (o) => index.entriesOf(o),
      heldObjects: () => index.objects(), heldObjectCount: index.objectCount,
      sliceSize: 1 + Math.floor(rand() * 7),
    });
    assert.deepEqual(got.plan, want, `round ${round}`);
    assert.deepEqual(got.issues, whole.issues);
    assert.equal(got.declared, whole.declared.length);
    if (want.create.length > 0 && want.update.length > 0 && want.delete.length > 0) nonEmpty++;
    if (index.size > want.update.length + want.delete.length) inSync++; // some held entry stays as it is
  }
  assert.ok(inSync > 100, `only ${inSync} rounds kept a held entry`);
  // The random cases do exercise every part of a plan at once.
  assert.ok(nonEmpty > 50, `only ${nonEmpty} rounds had creates, updates and deletes`);
});

// The workload controllers of the simulated cluster, reduced to what the tutorial needs: a Deployment
// owns one ReplicaSet per pod template, a ReplicaSet keeps `replicas` pods, a DaemonSet one pod per node,
// a StatefulSet pods named <name>-0..n-1. Pods carry a controller owner reference, so deleting the owner
// deletes them through the API server's garbage collector. Each function maps a snapshot to actions.
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import type { IdSource } from '../seeded-ids.js';
import {
  type ClusterAction,
  type ClusterSnapshot,
  controllerRef,
  isRunning,
  isTerminating,
  ownedBy,
  rec,
  refOf,
  replicasOf,
  statusPatch,
} from './cluster-objects.js';
import { templateHash } from './template-hash.js';

const live = (objs: readonly KubeObject[]) => objs.filter((o) => !isTerminating(o));
const labelsOf = (template: unknown): Record<string, string> => (rec(rec(template)['metadata'])['labels'] as Record<string, string> | undefined) ?? {};

export function planDeployments(s: ClusterSnapshot): ClusterAction[] {
  const out: ClusterAction[] = [];
  for (const d of live(s.deployments)) {
    const spec = rec(d['spec']);
    const hash = templateHash(spec['template']);
    const name = `${d.metadata.name}-${hash}`;
    const owned = ownedBy(s.replicaSets, d);
    const current = owned.find((rs) => rs.metadata.name === name);
    const replicas = replicasOf(d);
    for (const old of owned) if (old !== current) out.push({ op: 'delete', ref: refOf(old) });
    if (!current) {
      const template = rec(spec['template']);
      const labels = { ...labelsOf(template), 'pod-template-hash': hash };
      const selector = rec(spec['selector']);
      out.push({
        op: 'create',
        obj: {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name, namespace: d.metadata.namespace ?? 'default', labels, ownerReferences: [controllerRef(d)] },
          spec: {
            replicas,
            selector: { ...selector, matchLabels: { ...rec(selector['matchLabels']), 'pod-template-hash': hash } },
            template: { ...template, metadata: { ...rec(template['metadata']), labels } },
          },
        },
      });
    } else if (replicasOf(current) !== replicas) {
      out.push({ op: 'patch', ref: refOf(current), patch: { spec: { replicas } } });
    }
    const ready = current ? ownedBy(s.pods, current).filter(isRunning).length : 0;
    const created = current ? ownedBy(s.pods, current).length : 0;
    out.push(
      ...statusPatch(d, {
        observedGeneration: d.metadata.generation ?? 1,
        replicas: created,
        updatedReplicas: created,
        readyReplicas: ready,
        availableReplicas: ready,
      }),
    );
  }
  return out;
}

export function planReplicaSets(s: ClusterSnapshot, ids: IdSource): ClusterAction[] {
  const out: ClusterAction[] = [];
  for (const rs of live(s.replicaSets)) {
    const pods = ownedBy(s.pods, rs);
    const want = replicasOf(rs);
    const names = new Set(s.pods.map((p) => p.metadata.name));
    for (let i = pods.length; i < want; i++) {
      const name = uniqueName(`${rs.metadata.name}-`, names, ids);
      out.push({ op: 'create', obj: podFromTemplate(rs, name) });
    }
    for (const extra of pods.slice(want).reverse()) out.push({ op: 'delete', ref: refOf(extra) });
    const ready = pods.filter(isRunning).length;
    out.push(...statusPatch(rs, { replicas: Math.min(pods.length, want), readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 }));
  }
  return out;
}

export function planDaemonSets(s: ClusterSnapshot, ids: IdSource): ClusterAction[] {
  const out: ClusterAction[] = [];
  const nodes = live(s.nodes).map((n) => n.metadata.name ?? '').sort();
  for (const ds of live(s.daemonSets)) {
    const pods = ownedBy(s.pods, ds);
    const names = new Set(s.pods.map((p) => p.metadata.name));
    for (const node of nodes) {
      if (pods.some((p) => rec(p['spec'])['nodeName'] === node)) continue;
      const pod = podFromTemplate(ds, uniqueName(`${ds.metadata.name}-`, names, ids));
      out.push({ op: 'create', obj: { ...pod, spec: { ...rec(pod['spec']), nodeName: node } } });
    }
    for (const p of pods) if (!nodes.includes(String(rec(p['spec'])['nodeName']))) out.push({ op: 'delete', ref: refOf(p) });
    const ready = pods.filter(isRunning).length;
    out.push(
      ...statusPatch(ds, {
        desiredNumberScheduled: nodes.length,
        currentNumberScheduled: pods.length,
        numberReady: ready,
        numberAvailable: ready,
        updatedNumberScheduled: pods.length,
        numberMisscheduled: 0,
        observedGeneration: ds.metadata.generation ?? 1,
      }),
    );
  }
  return out;
}

export function planStatefulSets(s: ClusterSnapshot): ClusterAction[] {
  const out: ClusterAction[] = [];
  for (const sts of live(s.statefulSets)) {
    const pods = ownedBy(s.pods, sts);
    const want = replicasOf(sts);
    for (let i = 0; i < want; i++) {
      const name = `${sts.metadata.name}-${i}`;
      if (pods.some((p) => p.metadata.name === name)) continue;
      if (s.pods.some((p) => p.metadata.name === name && p.metadata.namespace === sts.metadata.namespace)) continue; // still terminating
      const pod = podFromTemplate(sts, name);
      out.push({ op: 'create', obj: { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, 'statefulset.kubernetes.io/pod-name': name } } } });
      break; // OrderedReady: one pod at a time
    }
    for (const p of pods) {
      const ordinal = Number((p.metadata.name ?? '').slice((sts.metadata.name ?? '').length + 1));
      if (!(ordinal < want)) out.push({ op: 'delete', ref: refOf(p) });
    }
    const ready = pods.filter(isRunning).length;
    out.push(...statusPatch(sts, { replicas: pods.length, readyReplicas: ready, currentReplicas: pods.length, updatedReplicas: pods.length, availableReplicas: ready, observedGeneration: sts.metadata.generation ?? 1 }));
  }
  return out;
}

function podFromTemplate(owner: KubeObject, name: string): KubeObject {
  const template = rec(rec(owner['spec'])['template']);
  const meta = rec(template['metadata']);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name,
      namespace: owner.metadata.namespace ?? 'default',
      labels: labelsOf(template),
      ownerReferences: [controllerRef(owner)],
    },
    spec: rec(template['spec']),
  };
}

/** `<prefix><5 characters>`, as the API server fills generateName; never one already taken. */
function uniqueName(prefix: string, taken: Set<string | undefined>, ids: IdSource): string {
  let name: string;
  do name = prefix + ids.suffix(); while (taken.has(name));
  taken.add(name);
  return name;
}

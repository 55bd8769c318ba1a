// The simulated cluster's view of the API objects it acts on, and the actions its controllers plan.
// Controllers are plain functions (snapshot -> actions) so that tests can check them without a server.
import type { KubeObject, OwnerReference } from '../../../adapters/kube-fake/index.js';

export type ClusterSnapshot = {
  readonly nodes: readonly KubeObject[];
  readonly pods: readonly KubeObject[];
  readonly deployments: readonly KubeObject[];
  readonly replicaSets: readonly KubeObject[];
  readonly daemonSets: readonly KubeObject[];
  readonly statefulSets: readonly KubeObject[];
};

export type ObjectRef = { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };

export type ClusterAction =
  | { readonly op: 'create'; readonly obj: KubeObject }
  | { readonly op: 'patch'; readonly ref: ObjectRef; readonly patch: Record<string, unknown>; readonly subresource?: 'status' }
  | { readonly op: 'delete'; readonly ref: ObjectRef };

export type Rec = Record<string, unknown>;

export const rec = (x: unknown): Rec => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Rec) : {});
export const recs = (x: unknown): Rec[] => (Array.isArray(x) ? x.map(rec) : []);

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    name: obj.metadata.name ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

/** The owner reference a controller puts on what it creates (controller: true, as the real ones do). */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const isTerminating = (obj: KubeObject): boolean => obj.metadata.deletionTimestamp !== undefined;

/** Live objects whose controller reference names `owner`, oldest first (then by name). */
export function ownedBy(objs: readonly KubeObject[], owner: KubeObject): KubeObject[] {
  return objs
    .filter((o) => !isTerminating(o) && (o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.metadata.uid))
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export function replicasOf(obj: KubeObject): number {
  const r = rec(obj['spec'])['replicas'];
  return typeof r === 'number' && r >= 0 ? r : 1;
}

export function isRunning(pod: KubeObject): boolean {
  return !isTerminating(pod) && rec(pod['status'])['phase'] === 'Running';
}

/** Patches an object's status only when something in it would change. */
export function statusPatch(obj: KubeObject, want: Rec): ClusterAction[] {
  const have = rec(obj['status']);
  const changed = Object.entries(want).some(([k, v]) => JSON.stringify(have[k]) !== JSON.stringify(v));
  return changed ? [{ op: 'patch', ref: refOf(obj), patch: { status: want }, subresource: 'status' }] : [];
}

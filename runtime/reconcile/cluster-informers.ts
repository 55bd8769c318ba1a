// The informers reconcile mode reads, with caches projected to the fields the handlers use (a pod's
// status churn or a node's heartbeats then cause no events), and a ClusterView over them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { federatesWithAnnotation } from '../../handlers/admission-validate/federates-with.js';
import { EndpointSliceSchema, SERVICE_NAME_LABEL, type Endpoint, type EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import { NodeSchema, type Node } from '../../handlers/k8s/node.js';
import { PodSchema, type Pod } from '../../handlers/k8s/pod.js';
import type { PodEntriesConfig } from '../../handlers/pod-reconcile/pod-entries.js';
import { createInformer, objectKey, projection, type Informer, type InformerTiming } from '../kube/informer.js';
import { kubeListWatchSource } from '../kube/list-watch-source.js';
import { EMPTY_LIST, EMPTY_MAP, NO_CONTAINERS, NO_OWNERS, NO_POD_STATUS, createInterner, pickInterned, type Interner } from '../kube/shared-values.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import type { ClusterView } from './reconciler.js';

export type ClusterInformers = {
  readonly nodes: Informer<Node>;
  readonly pods: Informer<Pod>;
  /** discovery.k8s.io/v1 EndpointSlices; only with add_pod_dns_names. */
  readonly endpointSlices?: Informer<EndpointSlice>;
  readonly view: ClusterView;
  start(): void;
  synced(): Promise<void>;
  stop(): Promise<void>;
};

export type ClusterInformersOptions = {
  readonly kubeConfig: KubeConfig;
  readonly config: PodEntriesConfig;
  readonly log: Logger;
  readonly metrics?: RegistrarMetrics;
  readonly timing?: InformerTiming;
};

export function createClusterInformers(opts: ClusterInformersOptions): ClusterInformers {
  const { config, log } = opts;
  const source = (plural: 'nodes' | 'pods' | 'endpointslices') =>
    kubeListWatchSource({ kubeConfig: opts.kubeConfig, ...(plural === 'endpointslices' ? { group: 'discovery.k8s.io' } : {}), version: 'v1', plural });
  const onInvalid = (raw: unknown, issues: readonly { message: string }[]) =>
    log.warn({ issues: issues.map((i) => i.message), object: objectName(raw) }, 'Ignoring an object that does not parse');
  const common = <T>(plural: 'nodes' | 'pods' | 'endpointslices', project: (raw: unknown) => T | undefined) =>
    createInformer<T>({
      ...opts.timing,
      source: source(plural),
      project,
      log,
      onRestart: (reason) => opts.metrics?.informerRestarts.inc({ resource: plural, reason }),
    });

  const intern = createInterner();
  const nodes = common('nodes', projection(NodeSchema, (n) => projectNode(n, intern), onInvalid));
  const pods = common('pods', projection(PodSchema, (p) => projectPod(p, config, intern), onInvalid));
  const endpointSlices = config.addPodDnsNames ? common('endpointslices', projection(EndpointSliceSchema, projectSlice, onInvalid)) : undefined;
  const all = [nodes, pods, ...(endpointSlices ? [endpointSlices] : [])];

  const view: ClusterView = {
    nodes: () => nodes.list(),
    pods: () => pods.list(),
    endpointSlices: () => endpointSlices?.list() ?? [],
    node: (name) => nodes.get(objectKey(undefined, name)),
    pod: (namespace, name) => pods.get(objectKey(namespace, name)),
  };

  return {
    nodes,
    pods,
    ...(endpointSlices ? { endpointSlices } : {}),
    view,
    start: () => all.forEach((i) => i.start()),
    synced: async () => {
      await Promise.all(all.map((i) => i.synced()));
    },
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

// Projections hold no copies of what many objects repeat: namespaces, node names, service accounts and
// label values are interned (a node's name is the same string as its pods' nodeName), and empty lists,
// maps and the status are shared frozen objects (runtime/kube/shared-values.ts). At 100,000 pods the
// fresh empties alone were ~200 bytes per pod.
const sharedInterner = createInterner();

/** Name, UID and the federatesWith annotation: a node's heartbeats and other annotations cause no event. */
export function projectNode(n: Node, intern: Interner = sharedInterner): Node {
  return {
    metadata: {
      name: intern(n.metadata.name),
      namespace: '',
      uid: n.metadata.uid,
      labels: EMPTY_MAP,
      annotations: pickInterned(intern, n.metadata.annotations, [federatesWithAnnotation]),
      ownerReferences: NO_OWNERS,
      finalizers: EMPTY_LIST,
    },
  };
}

/** Keeps what identity, selectors, scheduling, federation and DNS names read; only the annotations and label they use. */
export function projectPod(p: Pod, cfg: PodEntriesConfig, intern: Interner = sharedInterner): Pod {
  const m = p.metadata;
  const podIP = cfg.addPodDnsNames ? p.status.podIP : '';
  return {
    metadata: {
      name: m.name,
      namespace: intern(m.namespace),
      uid: m.uid,
      labels: pickInterned(intern, m.labels, [cfg.podLabel]),
      annotations: pickInterned(intern, m.annotations, [cfg.podAnnotation, federatesWithAnnotation]),
      ownerReferences: NO_OWNERS,
      finalizers: EMPTY_LIST,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
    spec: { nodeName: intern(p.spec.nodeName), serviceAccountName: intern(p.spec.serviceAccountName), hostname: '', subdomain: '', containers: NO_CONTAINERS },
    status: podIP === '' ? NO_POD_STATUS : { phase: '', podIP },
  };
}

/** The Service label and, per endpoint, what DNS names read: addresses, hostname, conditions, pod reference. */
function projectSlice(e: EndpointSlice): EndpointSlice {
  const service = e.metadata.labels?.[SERVICE_NAME_LABEL];
  return {
    metadata: { ...meta(e.metadata.name, e.metadata.namespace, e.metadata.uid), ...(service !== undefined ? { labels: { [SERVICE_NAME_LABEL]: service } } : {}) },
    endpoints: (e.endpoints ?? []).map(projectEndpoint),
  };
}

function projectEndpoint(p: Endpoint): Endpoint {
  return {
    addresses: p.addresses ?? [],
    conditions: { ready: p.conditions?.ready ?? null, terminating: p.conditions?.terminating ?? null },
    ...(p.hostname ? { hostname: p.hostname } : {}),
    ...(p.targetRef ? { targetRef: { kind: p.targetRef.kind, name: p.targetRef.name, namespace: p.targetRef.namespace, uid: p.targetRef.uid } } : {}),
  };
}

function meta(name: string, namespace: string, uid: string): Node['metadata'] {
  return { name, namespace, uid, labels: EMPTY_MAP, annotations: EMPTY_MAP, ownerReferences: NO_OWNERS, finalizers: EMPTY_LIST };
}

function objectName(raw: unknown): string | undefined {
  const m = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return typeof m?.name === 'string' ? [m.namespace, m.name].filter((x) => typeof x === 'string' && x).join('/') : undefined;
}

// The informers crd mode reads: nodes, pods, EndpointSlices (add_svc_dns_name) and SpiffeIDs, with caches
// projected to the fields the handlers use, so pod status churn and node heartbeats cause no passes.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { federatesWithAnnotation } from '../../handlers/admission-validate/federates-with.js';
import type { ClusterView } from '../../handlers/crd-pod/declared-spiffeids.js';
import { EndpointSliceSchema, SERVICE_NAME_LABEL, type EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import { NodeSchema, type Node } from '../../handlers/k8s/node.js';
import { PodSchema, type Pod } from '../../handlers/k8s/pod.js';
import { SPIFFEID_GROUP, SPIFFEID_PLURAL, SPIFFEID_VERSION, SpiffeIdSchema, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { createInformer, projection, type Informer, type InformerTiming } from '../kube/informer.js';
import { kubeListWatchSource, type InformerSource } from '../kube/list-watch-source.js';
import { pickKeys } from '../kube/pick-keys.js';
import type { RegistrarMetrics } from '../observability/metrics.js';

export type CrdResource = 'nodes' | 'pods' | 'endpointslices' | 'spiffeids';

export type CrdInformers = {
  readonly all: readonly Informer<unknown>[];
  /** A fresh view of every cache. */
  snapshot(): ClusterView & { readonly spiffeIds: readonly SpiffeId[] };
  onChange(listener: () => void): void;
  start(): void;
  synced(): Promise<void>;
  stop(): Promise<void>;
};

export type PodProjectionConfig = {
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly identityTemplateLabel?: string;
};

export type CrdInformersOptions = {
  readonly kubeConfig: KubeConfig;
  readonly config: PodProjectionConfig & { readonly podController: boolean; readonly addSvcDnsName: boolean };
  readonly log: Logger;
  readonly metrics?: RegistrarMetrics;
  /** Replaces the API server source (tests). */
  readonly source?: (resource: CrdResource) => InformerSource;
  readonly timing?: InformerTiming;
};

export function createCrdInformers(opts: CrdInformersOptions): CrdInformers {
  const { config, log } = opts;
  const source =
    opts.source ??
    ((r: CrdResource) =>
      r === 'spiffeids'
        ? kubeListWatchSource({ kubeConfig: opts.kubeConfig, group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, plural: SPIFFEID_PLURAL })
        : r === 'endpointslices'
          ? kubeListWatchSource({ kubeConfig: opts.kubeConfig, group: 'discovery.k8s.io', version: 'v1', plural: r })
          : kubeListWatchSource({ kubeConfig: opts.kubeConfig, version: 'v1', plural: r }));
  const onInvalid = (raw: unknown, issues: readonly { message: string }[]) =>
    log.warn({ issues: issues.map((i) => i.message), object: objectName(raw) }, 'Ignoring an object that does not parse');
  const make = <T>(r: CrdResource, project: (raw: unknown) => T | undefined) =>
    createInformer<T>({ ...opts.timing, source: source(r), project, log, onRestart: (reason) => opts.metrics?.informerRestarts.inc({ resource: r, reason }) });

  // pod_controller gates the node and pod controllers (and so the endpoints one) together, as in the original.
  const nodes = config.podController ? make('nodes', projection(NodeSchema, (n): Node => ({ metadata: meta(n.metadata) }), onInvalid)) : undefined;
  const pods = config.podController ? make('pods', projection(PodSchema, (p) => projectPod(p, config), onInvalid)) : undefined;
  const slices =
    config.podController && config.addSvcDnsName ? make('endpointslices', projection(EndpointSliceSchema, projectSlice, onInvalid)) : undefined;
  const spiffeIds = make('spiffeids', projection(SpiffeIdSchema, projectSpiffeId, onInvalid));
  const all = [...(nodes ? [nodes] : []), ...(pods ? [pods] : []), ...(slices ? [slices] : []), spiffeIds] as Informer<unknown>[];

  const snapshot = () => ({
    nodes: nodes?.list() ?? [],
    pods: pods?.list() ?? [],
    endpointSlices: slices?.list() ?? [],
    spiffeIds: spiffeIds.list(),
  });
  return {
    all,
    snapshot,
    onChange: (listener) => all.forEach((i) => i.onChange(() => listener())),
    start: () => all.forEach((i) => i.start()),
    synced: async () => {
      await Promise.all(all.map((i) => i.synced()));
    },
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

/** Keeps what identity, selectors, DNS names and federation read; only the configured labels/annotations. */
export function projectPod(p: Pod, cfg: PodProjectionConfig): Pod {
  const m = p.metadata;
  return {
    metadata: {
      ...meta(m),
      labels: pickKeys(m.labels, [cfg.podLabel, cfg.identityTemplateLabel]),
      annotations: pickKeys(m.annotations, [cfg.podAnnotation, federatesWithAnnotation]),
    },
    spec: { nodeName: p.spec.nodeName, serviceAccountName: p.spec.serviceAccountName, hostname: p.spec.hostname, subdomain: '', containers: [] },
    status: { phase: '', podIP: '' },
  };
}

/** The Service label and, per endpoint, the ready condition and the pod reference (no addresses, ports or topology). */
function projectSlice(e: EndpointSlice): EndpointSlice {
  const service = e.metadata.labels?.[SERVICE_NAME_LABEL];
  return {
    metadata: { ...meta(e.metadata), ...(service !== undefined ? { labels: { [SERVICE_NAME_LABEL]: service } } : {}) },
    endpoints: (e.endpoints ?? []).map((p) => ({
      addresses: [],
      conditions: { ready: p.conditions?.ready ?? null },
      ...(p.targetRef ? { targetRef: { kind: p.targetRef.kind, name: p.targetRef.name, namespace: p.targetRef.namespace, uid: p.targetRef.uid } } : {}),
    })),
  };
}

/**
 * Everything the SpiffeID plans read, and the resourceVersion (finalizer and status writes carry it, so
 * they need no GET first); annotations and managedFields dropped. A change of an unprojected field alone
 * still bumps the resourceVersion and so causes a pass, which finds nothing to write.
 */
function projectSpiffeId(s: SpiffeId): SpiffeId {
  const m = s.metadata;
  return {
    metadata: {
      ...meta(m),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      labels: m.labels ?? {},
      ownerReferences: m.ownerReferences ?? [],
      finalizers: m.finalizers ?? [],
      ...(m.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
    spec: s.spec,
    status: s.status,
  };
}

function meta(m: Node['metadata']): Node['metadata'] {
  return { name: m.name, namespace: m.namespace, uid: m.uid, labels: {}, annotations: {}, ownerReferences: [], finalizers: [] };
}

function objectName(raw: unknown): string | undefined {
  const m = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return typeof m?.name === 'string' ? [m.namespace, m.name].filter((x) => typeof x === 'string' && x).join('/') : undefined;
}

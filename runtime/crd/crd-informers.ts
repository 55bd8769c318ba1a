// The informers crd mode reads: nodes, pods, EndpointSlices (add_svc_dns_name) and SpiffeIDs, with caches
// projected to the fields the handlers use (crd-projections.ts), so pod status churn and node heartbeats
// cause no passes.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterView } from '../../handlers/crd-pod/declared-spiffeids.js';
import { EndpointSliceSchema } from '../../handlers/k8s/endpoint-slice.js';
import { NodeSchema } from '../../handlers/k8s/node.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import { SPIFFEID_GROUP, SPIFFEID_PLURAL, SPIFFEID_VERSION, SpiffeIdSchema, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { createInformer, projection, type Informer, type InformerTiming } from '../kube/informer.js';
import { kubeListWatchSource, type InformerSource } from '../kube/list-watch-source.js';
import { createInterner, type Interner } from '../kube/shared-values.js';
import { crdProjections, type PodProjectionConfig } from './crd-projections.js';
import { ownCreates } from './own-creates.js';
import type { CrdResource } from './crd-slice.js';
import type { RegistrarMetrics } from '../observability/metrics.js';

export type { CrdResource };

export type CrdInformers = {
  readonly all: readonly Informer<unknown>[];
  /**
   * What the SpiffeID cache keeps of an object, for the writer's created SpiffeIDs: same size, shared
   * strings, and the cache holds the same object once the watch shows it (own-creates.ts).
   */
  readonly projectSpiffeId: (s: SpiffeId) => SpiffeId;
  /** A fresh view of every cache. */
  snapshot(): ClusterView & { readonly spiffeIds: readonly SpiffeId[] };
  /** The object an informer holds under this key (`namespace/name`, or a node's name). */
  get(resource: CrdResource, key: string): unknown;
  /** Called with the resource and key of every object an informer added, changed or deleted. */
  onChange(listener: (resource: CrdResource, key: string) => void): void;
  start(): void;
  synced(): Promise<void>;
  stop(): Promise<void>;
};

export type CrdInformersOptions = {
  readonly kubeConfig: KubeConfig;
  readonly config: PodProjectionConfig & { readonly podController: boolean; readonly addSvcDnsName: boolean };
  readonly log: Logger;
  readonly metrics?: RegistrarMetrics;
  /** Replaces the API server source (tests). */
  readonly source?: (resource: CrdResource) => InformerSource;
  readonly timing?: InformerTiming;
  /** Shares strings between the caches (and with CrdEntries when given the same one). */
  readonly intern?: Interner;
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

  // One interner for every cache, so pods and SpiffeIDs share their namespaces, node names and the like.
  const project = crdProjections(config, opts.intern ?? createInterner());
  // pod_controller gates the node and pod controllers (and so the endpoints one) together, as in the original.
  const nodes = config.podController ? make('nodes', projection(NodeSchema, project.node, onInvalid)) : undefined;
  const pods = config.podController ? make('pods', projection(PodSchema, project.pod, onInvalid)) : undefined;
  const slices =
    config.podController && config.addSvcDnsName ? make('endpointslices', projection(EndpointSliceSchema, project.slice, onInvalid)) : undefined;
  // The writer's projection of our own creates: the cache takes that very object when the watch brings it.
  const own = ownCreates<SpiffeId>();
  const spiffeIds = make('spiffeids', projection(SpiffeIdSchema, (s) => own.watched(project.spiffeId(s)), onInvalid));
  const all = [...(nodes ? [nodes] : []), ...(pods ? [pods] : []), ...(slices ? [slices] : []), spiffeIds] as Informer<unknown>[];

  const byResource = { nodes, pods, endpointslices: slices, spiffeids: spiffeIds } as Record<CrdResource, Informer<unknown> | undefined>;
  const snapshot = () => ({
    nodes: nodes?.list() ?? [],
    pods: pods?.list() ?? [],
    endpointSlices: slices?.list() ?? [],
    spiffeIds: spiffeIds.list(),
  });
  return {
    all,
    projectSpiffeId: (s) => own.created(project.spiffeId(s)),
    snapshot,
    get: (r, key) => byResource[r]?.get(key),
    onChange: (listener) => {
      for (const r of Object.keys(byResource) as CrdResource[]) byResource[r]?.onChange((key) => listener(r, key));
    },
    start: () => all.forEach((i) => i.start()),
    synced: async () => {
      await Promise.all(all.map((i) => i.synced()));
    },
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

function objectName(raw: unknown): string | undefined {
  const m = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return typeof m?.name === 'string' ? [m.namespace, m.name].filter((x) => typeof x === 'string' && x).join('/') : undefined;
}

// Runs the simulated cluster's controllers (workloads, scheduler, kubelet, EndpointSlices) against the fake API server:
// reads come straight from its store, writes go through its REST API so that admission (and in webhook
// mode the registrar's webhook) sees them as it would in a cluster. Level-based: every store change
// triggers one pass over everything; a pass that had nothing to do marks the cluster settled.
import type { Logger } from 'pino';
import { type FakeKubeApi, timestamp } from '../../../adapters/kube-fake/index.js';
import { createTrigger } from '../../trigger.js';
import type { IdSource } from '../seeded-ids.js';
import type { ClusterAction, ClusterSnapshot } from './cluster-objects.js';
import { KubeRestError, kubeRest, objectPath } from './kube-rest.js';
import { planEndpointSlices } from './plan-endpoint-slices.js';
import { planKubelet, planScheduling } from './plan-pod-lifecycle.js';
import { planDaemonSets, planDeployments, planReplicaSets, planStatefulSets } from './plan-workloads.js';

export type SimulatedCluster = {
  /** Resolves once a pass found nothing to do and nothing changed since. */
  settled(): Promise<void>;
  stop(): Promise<void>;
};

export type SimulatedClusterOptions = {
  readonly api: FakeKubeApi;
  readonly ids: IdSource;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How often the store's resourceVersion is checked for changes; default 20 ms. */
  readonly pollMs?: number;
};

export function startSimulatedCluster(opts: SimulatedClusterOptions): SimulatedCluster {
  const { api, ids, log } = opts;
  const now = opts.now ?? (() => new Date());
  const rest = kubeRest(api.url);
  let settledAt = -1;
  let waiters: (() => void)[] = [];

  const snapshot = (): ClusterSnapshot => ({
    nodes: api.store.list('v1', 'Node'),
    pods: api.store.list('v1', 'Pod'),
    deployments: api.store.list('apps/v1', 'Deployment'),
    replicaSets: api.store.list('apps/v1', 'ReplicaSet'),
    daemonSets: api.store.list('apps/v1', 'DaemonSet'),
    statefulSets: api.store.list('apps/v1', 'StatefulSet'),
  });

  const apply = async (a: ClusterAction) => {
    try {
      if (a.op === 'create') await rest.request('POST', objectPath({ ...refFields(a.obj), name: undefined }), a.obj);
      else if (a.op === 'patch') await rest.request('PATCH', objectPath(a.ref) + (a.subresource ? `/${a.subresource}` : ''), a.patch, 'application/merge-patch+json');
      else await rest.request('DELETE', objectPath(a.ref), { propagationPolicy: 'Background' });
    } catch (err) {
      // Someone else changed or removed the object first; the next pass sees the new state.
      if (err instanceof KubeRestError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  };

  const trigger = createTrigger({
    runPass: async () => {
      const rv = api.store.resourceVersion;
      const s = snapshot();
      const actions = [
        ...planDeployments(s),
        ...planReplicaSets(s, ids),
        ...planDaemonSets(s, ids),
        ...planStatefulSets(s),
        ...planScheduling(s),
        ...planKubelet(s, timestamp(now())),
        ...planEndpointSlices({
          services: api.store.list('v1', 'Service'),
          pods: s.pods,
          endpointSlices: api.store.list('discovery.k8s.io/v1', 'EndpointSlice'),
        }),
      ];
      for (const a of actions) await apply(a);
      if (actions.length === 0 && api.store.resourceVersion === rv) {
        settledAt = rv;
        const ready = waiters;
        waiters = [];
        for (const w of ready) w();
      }
    },
    backoff: { minMs: 100, maxMs: 2_000 },
    onError: (err, retryInMs) => log.warn({ err, retryInMs }, 'Simulated cluster pass failed'),
  });

  let seen = -1;
  const poll = setInterval(() => {
    if (api.store.resourceVersion !== seen) {
      seen = api.store.resourceVersion;
      trigger.fire();
    }
  }, opts.pollMs ?? 20);

  return {
    settled() {
      return new Promise((resolve) => {
        if (settledAt === api.store.resourceVersion) resolve();
        else waiters.push(resolve);
      });
    },
    async stop() {
      clearInterval(poll);
      await trigger.stop();
      const pending = waiters;
      waiters = [];
      for (const w of pending) w();
    },
  };
}

function refFields(obj: { apiVersion?: string; kind?: string; metadata: { namespace?: string } }) {
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '', ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
}

// `plan`'s one read-only pass: the objects a mode's informers would hold, read with plain paged GETs (no
// watch, no write), and one ListEntries, then the mode's own pure handlers (handlers/plan/). Nothing here
// creates, updates or deletes anything in the cluster or in SPIRE.
import type { KubeConfig } from '@kubernetes/client-node';
import * as v from 'valibot';
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import { EndpointSliceSchema } from '../../handlers/k8s/endpoint-slice.js';
import { NodeSchema } from '../../handlers/k8s/node.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import type { ChangePlan } from '../../handlers/plan/change-plan.js';
import { planCrd } from '../../handlers/plan/crd-plan.js';
import { planReconcile } from '../../handlers/plan/reconcile-plan.js';
import { planWebhook } from '../../handlers/plan/webhook-plan.js';
import { SPIFFEID_GROUP, SPIFFEID_PLURAL, SPIFFEID_VERSION, SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import type { RegistrarConfig } from '../config/registrar-config.js';
import { crdRules } from '../crd/crd-rules.js';
import { kubeListWatchSource, type CollectionRef } from '../kube/list-watch-source.js';

const SLICES: CollectionRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' };

export type PlanInputs = {
  readonly config: RegistrarConfig;
  readonly kubeConfig: KubeConfig;
  readonly entries: EntryStore;
  /** crd mode: the registrar's namespace (only SpiffeIDs there may use node selectors). */
  readonly namespace: string;
  readonly log: Logger;
  readonly now: number;
  readonly signal: AbortSignal;
};

export async function planPass(inp: PlanInputs): Promise<ChangePlan> {
  const { config: cfg, log, signal } = inp;
  /** All pages of one collection, parsed; objects that do not parse are skipped as an informer skips them. */
  const list = async <S extends v.GenericSchema>(ref: CollectionRef, schema: S): Promise<v.InferOutput<S>[]> => {
    const { items } = await kubeListWatchSource({ kubeConfig: inp.kubeConfig, ...ref }).list(signal);
    return items.flatMap((raw) => {
      const parsed = v.safeParse(schema, raw);
      if (!parsed.success) log.warn({ resource: ref.plural, issues: parsed.issues.map((i) => i.message) }, 'Ignoring an object that does not parse');
      return parsed.success ? [parsed.output] : [];
    });
  };
  const listEntries = () => inp.entries.listEntries(undefined, { signal });

  switch (cfg.mode) {
    case 'webhook': {
      const [pods, entries] = await Promise.all([list({ version: 'v1', plural: 'pods' }, PodSchema), listEntries()]);
      return planWebhook(pods, entries, cfg);
    }
    case 'reconcile': {
      const [nodes, pods, endpointSlices, entries] = await Promise.all([
        list({ version: 'v1', plural: 'nodes' }, NodeSchema),
        list({ version: 'v1', plural: 'pods' }, PodSchema),
        cfg.addPodDnsNames ? list(SLICES, EndpointSliceSchema) : Promise.resolve([]),
        listEntries(),
      ]);
      return planReconcile({ nodes, pods, endpointSlices }, entries, cfg);
    }
    case 'crd': {
      const checked = checkCrdTemplates(cfg);
      if (!checked.ok) throw new Error(checked.error);
      const [nodes, pods, endpointSlices, spiffeIds, entries] = await Promise.all([
        list({ version: 'v1', plural: 'nodes' }, NodeSchema),
        cfg.podController ? list({ version: 'v1', plural: 'pods' }, PodSchema) : Promise.resolve([]),
        cfg.podController && cfg.addSvcDnsName ? list(SLICES, EndpointSliceSchema) : Promise.resolve([]),
        list({ group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, plural: SPIFFEID_PLURAL }, SpiffeIdSchema),
        listEntries(),
      ]);
      // The same rules runCrd builds (namespace policy, the registrar's entry ID prefix).
      const rules = { ...cfg, ...crdRules(cfg, inp.namespace) };
      return planCrd({ nodes, pods, endpointSlices, spiffeIds }, entries, rules, checked.templates, new Date(inp.now).toISOString());
    }
  }
}

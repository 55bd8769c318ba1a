// What a tour step can do against a running sandbox: kubectl's verbs (through kubectl-lite), the SPIRE
// server's `entry show`, a grep of the registrar's log file, and look-ups of the pods and node whose
// names and UIDs the expected entries contain.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { connectSpire, type SpireClient } from '../../../adapters/spire/connect.js';
import type { Entry } from '../../../handlers/entries/entry.js';
import { formatEntryShow } from '../../../handlers/entries/format-entry-show.js';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../../../handlers/spiffeid/spiffeid.js';
import { isRunning, isTerminating } from '../cluster/cluster-objects.js';
import { kubeRest } from '../cluster/kube-rest.js';
import { SANDBOX_NODE } from '../cluster/sandbox-node.js';
import { loadManifests, REPO_ROOT } from '../manifests.js';
import type { Sandbox } from '../sandbox.js';
import { KubectlLite, waitUntil } from './kubectl-lite.js';
import { run as runPlan } from '../../commands/plan.js';

export type TourContext = {
  apply(files: readonly string[]): Promise<string>;
  deleteObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<string>;
  deleteFile(file: string): Promise<string>;
  get(apiVersion: string, kind: string, namespace: string | 'all'): Promise<string>;
  /** `kubectl describe`, once the object has at least one event. */
  describe(apiVersion: string, kind: string, namespace: string, name: string): Promise<string>;
  /** `kubectl get events -n <ns>`, once there are `count` events there (the recorder writes in the background). */
  getEvents(namespace: string, count: number): Promise<string>;
  /** `k8s-workload-registrar plan` with the sandbox's configuration and kubeconfig. */
  plan(): Promise<string>;
  /** `kubectl get spiffeids`, once every SpiffeID shows the entry it stands for. */
  getSpiffeIds(namespace: string | 'all'): Promise<string>;
  entryShow(): Promise<string>;
  grepLog(phrase: string): Promise<string>;
  entries(): Promise<Entry[]>;
  /** The live pod of the spire namespace labelled app=<app>. */
  pod(app: string): { name: string; uid: string };
  nodeUid(): string;
  close(): Promise<void>;
};

export async function tourContext(sandbox: Sandbox): Promise<TourContext> {
  const api = sandbox.api;
  const cluster = sandbox.cluster;
  if (!api || !cluster) throw new Error('the tour needs the sandbox API server and simulated cluster');
  const kubectl = new KubectlLite(kubeRest(api.url), api.url);
  const spire: SpireClient = await connectSpire({ serverAddress: `unix://${sandbox.spireSocket}`, trustDomain: sandbox.config.trustDomain, retry: { maxAttempts: 1 }, waitForReady: false });

  const livePods = () => api.store.list('v1', 'Pod').filter((p) => !isTerminating(p));
  /** The cluster has acted on the change: controllers are idle and every pod is running. */
  const settle = async () => {
    await waitUntil('the simulated cluster to settle', async () => {
      await cluster.settled();
      await api.idle();
      return livePods().every(isRunning);
    });
  };
  const manifests = async (files: readonly string[]) => (await Promise.all(files.map((f) => loadManifests(join(REPO_ROOT, f))))).flat();

  const ctx: TourContext = {
    async apply(files) {
      const out = await kubectl.apply(await manifests(files));
      await settle();
      return out;
    },
    async deleteObject(apiVersion, kind, namespace, name) {
      const out = await kubectl.delete([{ apiVersion, kind, metadata: { name, namespace } }]);
      await settle();
      return out;
    },
    async deleteFile(file) {
      const out = await kubectl.delete(await manifests([file]));
      await settle();
      return out;
    },
    get: (apiVersion, kind, namespace) => kubectl.get(apiVersion, kind, namespace),
    async describe(apiVersion, kind, namespace, name) {
      await waitUntil(`an event about ${kind} ${namespace}/${name}`, () =>
        api.store.list('v1', 'Event', namespace).some((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name),
      );
      return kubectl.describe(apiVersion, kind, namespace, name);
    },
    async getEvents(namespace, count) {
      await waitUntil(`${count} events in ${namespace}`, () => api.store.list('v1', 'Event', namespace).length >= count);
      return kubectl.get('v1', 'Event', namespace);
    },
    async plan() {
      const out: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
      const code = await runPlan(['-config', sandbox.configPath, '-kubeconfig', sandbox.kubeconfigPath ?? ''], io);
      return `${out.join('').trimEnd()}
(exit code ${code})`;
    },
    async getSpiffeIds(namespace) {
      const all = () => api.store.list(SPIFFEID_API_VERSION, SPIFFEID_KIND, namespace === 'all' ? undefined : namespace);
      await waitUntil('every SpiffeID to name its entry', () => all().every((s: KubeObject) => typeof (s['status'] as { entryId?: unknown } | undefined)?.entryId === 'string'));
      return kubectl.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, namespace);
    },
    async entryShow() {
      return formatEntryShow(await ctx.entries()).trimEnd();
    },
    async grepLog(phrase) {
      const text = await readFile(sandbox.logPath, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.includes(phrase))
        .join('\n');
    },
    entries: () => spire.entries.listEntries(),
    pod(app) {
      const found = livePods().filter((p) => p.metadata.namespace === 'spire' && p.metadata.labels?.['app'] === app);
      if (found.length !== 1) throw new Error(`expected one live pod with app=${app} in namespace spire, found ${found.length}`);
      return { name: found[0]!.metadata.name ?? '', uid: found[0]!.metadata.uid ?? '' };
    },
    nodeUid() {
      return api.store.get('v1', 'Node', SANDBOX_NODE)?.metadata.uid ?? '';
    },
    close: () => spire.close(),
  };
  return ctx;
}

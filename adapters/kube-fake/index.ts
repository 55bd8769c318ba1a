// A fake Kubernetes API server for tests, benchmarks and the local sandbox: the subset of the REST API
// that @kubernetes/client-node and kubectl use, served over HTTP(S) on a loopback port.
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { Admission, type AdmissionHook, type AdmissionMatch } from './admission.js';
import { type WebhookClientOptions, webhookReviewer } from './admission-webhooks.js';
import { syncCustomResources } from './crd-sync.js';
import { mirrorEvents } from './event-mirror.js';
import { startGarbageCollector } from './gc.js';
import { type RequestCounters, createHandler } from './http-handler.js';
import { ADMIN_TOKEN, makeKubeConfig, writeKubeconfig } from './kubeconfig.js';
import { timestamp } from './object-rules.js';
import { ADMIN_USER, Operations, type UserInfo } from './operations.js';
import { ResourceRegistry } from './resource-types.js';
import { type SeedStore, seedStore } from './seed-store.js';
import { ObjectStore } from './store.js';
import { WatchHub } from './watch-hub.js';

export type { AdmissionHook, AdmissionMatch, AdmissionRequest, AdmissionResult } from './admission.js';
export type { ServiceRef, WebhookClientOptions } from './admission-webhooks.js';
export type { SeedStore } from './seed-store.js';
export type { UserInfo } from './operations.js';
export type { KubeObject, ObjectMeta, OwnerReference } from './types.js';
export { applyJsonPatch, PatchError } from './json-patch.js';
export { applyMergePatch, applyStrategicMergePatch } from './merge-patch.js';
export { timestamp } from './object-rules.js';

export type FakeKubeApiOptions = {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with this certificate; the kubeconfig then trusts `caPem` (or skips verification without it). */
  tls?: { certPem: string; keyPem: string; caPem?: string };
  /** Interval of BOOKMARK events to watchers that allow them. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Watch events kept for watches that resume from an older resourceVersion. Default 20,000. */
  historyLimit?: number;
  /** How long a deleted namespace stays Terminating before its contents are deleted. Default 500 ms. */
  namespaceCleanupDelayMs?: number;
  /** Namespaces that exist from the start. Default default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /**
   * How stored ValidatingWebhookConfigurations are called: service resolution and the client certificate.
   * Without resolveService, webhooks given as a service fail (and their failurePolicy decides).
   */
  webhooks?: WebhookClientOptions;
  /**
   * Bearer tokens and the users they stand for (sent as AdmissionReview userInfo and answered by
   * SelfSubjectReview). The kubeconfig's own token and requests without a token are kubernetes-admin;
   * any other token is refused with 401.
   */
  users?: Record<string, UserInfo>;
  /** Clock for timestamps. */
  now?: () => Date;
  /** Called with errors of background work (garbage collection); default: ignored. */
  onError?: (err: unknown) => void;
};

export type FakeKubeApi = {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** A client-node KubeConfig for this server (current context 'fake', namespace 'default'); `token` picks a user of options.users. */
  kubeConfig(token?: string): KubeConfig;
  /** Writes a kubeconfig usable by kubectl and client-node. */
  writeKubeconfig(path: string): Promise<void>;
  readonly store: SeedStore;
  /**
   * Registers an admission hook called before create/update/delete is persisted; returns its remover.
   * Stored ValidatingWebhookConfigurations are consulted as well (see options.webhooks).
   */
  onAdmission(hook: AdmissionHook, match?: AdmissionMatch): () => void;
  /** Ends every watch stream: 'end' closes cleanly (client-node re-watches), 'destroy' cuts the socket (client-node reports an error). */
  dropWatches(mode?: 'end' | 'destroy'): void;
  /** Forgets history: open watches get ERROR 410 and end; watches from older resourceVersions get 410. */
  expireResourceVersions(): void;
  /** Freezes every open watch: its connection stays open and nothing more arrives on it (later watches are normal). */
  stallWatches(): void;
  /** Answers the next watch of each resource that resumes from a resourceVersion with ERROR 410 Gone (the client must re-list). */
  answerGoneOnRewatch(): void;
  /**
   * Stops listening and cuts every connection (clients see ECONNREFUSED / ECONNRESET); the store is kept
   * and can still be changed through `store`. `comeBack()` listens again on the same port.
   */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Delays every request by `ms` before it is handled (0 turns it off). */
  setDelay(ms: number): void;
  /** Sends a BOOKMARK now to watchers that allow them. */
  sendBookmarks(): void;
  /** What the most recent watch asked for. */
  lastWatchRequest(): { readonly bookmarks: boolean; readonly timeoutSeconds?: number } | undefined;
  /** Open watch streams. */
  readonly watchCount: number;
  /** Requests by "<verb> <resource>", e.g. "create pods", "patch spiffeids.spiffeid.spiffe.io/status", "list pods". */
  requestCounts(): Record<string, number>;
  /** Sum of create, update, patch and delete requests (optionally of one resource). */
  writeCount(resource?: string): number;
  resetCounts(): void;
  /** Resolves when background garbage collection has nothing left to do. */
  idle(): Promise<void>;
  close(): Promise<void>;
};

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const now = options.now ?? (() => new Date());
  const store = new ObjectStore(options.historyLimit ?? 20_000);
  const registry = new ResourceRegistry();
  const admission = new Admission();
  admission.addReviewer(webhookReviewer(store, options.webhooks ?? {}));
  const ops = new Operations(store, registry, admission, now);
  const stopCrdSync = syncCustomResources(store, registry);
  const stopEventMirror = mirrorEvents(store);
  const gc = startGarbageCollector(ops, options.onError ?? (() => {}), options.namespaceCleanupDelayMs ?? 500);
  const hub = new WatchHub(store, options.bookmarkIntervalMs ?? 1000);
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES) {
    store.put('namespaces', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, uid: randomUUID(), creationTimestamp: timestamp(now()), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    });
  }
  const counters: RequestCounters = new Map();
  let delayMs = 0;
  let address = '';
  const users = new Map<string, UserInfo>([[ADMIN_TOKEN, ADMIN_USER], ...Object.entries(options.users ?? {})]);
  const userOf = (authorization: string | undefined) => {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    return token === undefined ? ADMIN_USER : users.get(token);
  };
  const handler = createHandler({ ops, hub, counters, delayMs: () => delayMs, now, serverAddress: () => address, userOf });
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : createServer(handler);
  server.keepAliveTimeout = 5_000;
  const listen = (port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const { port, address: host } = server.address() as AddressInfo;
  address = `${host}:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kcOptions = { server: url, ...(options.tls?.caPem ? { caPem: options.tls.caPem } : {}) };
  let closed: Promise<void> | undefined;
  let down = false;
  const stopListening = async () => {
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await done;
  };

  return {
    url,
    port,
    kubeConfig: (token) => makeKubeConfig({ ...kcOptions, ...(token ? { token } : {}) }),
    writeKubeconfig: (path) => writeKubeconfig(path, kcOptions),
    store: seedStore(ops, now),
    onAdmission: (hook, match) => admission.onAdmission(hook, match),
    dropWatches: (mode = 'end') => hub.drop(mode),
    expireResourceVersions() {
      store.compact();
      hub.expireAll();
    },
    stallWatches: () => hub.stall(),
    answerGoneOnRewatch: () => hub.goneOnResume(),
    async goDown() {
      if (down) return;
      down = true;
      hub.drop('destroy');
      await stopListening();
    },
    async comeBack() {
      if (!down) return;
      await listen(port, host);
      down = false;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    sendBookmarks: () => hub.sendBookmarks(),
    lastWatchRequest() {
      const r = hub.lastRequest;
      return r && { bookmarks: r.bookmarks, ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}) };
    },
    get watchCount() {
      return hub.size;
    },
    requestCounts: () => Object.fromEntries(counters),
    writeCount(resource) {
      let n = 0;
      for (const [k, v] of counters) {
        const [verb, res] = k.split(' ');
        if (WRITE_VERBS.has(verb ?? '') && (resource === undefined || res === resource)) n += v;
      }
      return n;
    },
    resetCounts: () => counters.clear(),
    idle: () => gc.idle(),
    close() {
      closed ??= (async () => {
        hub.close();
        gc.stop();
        stopCrdSync();
        stopEventMirror();
        if (!down) await stopListening();
      })();
      return closed;
    },
  };
}

// A crd-mode world for integration tests: the fake Kubernetes API server with the SpiffeID CRD from
// deploy/crd registered, the in-memory SPIRE server on a Unix socket, and registrar replicas running the
// real mode code (runCrd, client-node writer, connectSpire) against both. Torn down by t.after.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { startFakeKubeApi, type FakeKubeApi, type FakeKubeApiOptions, type KubeObject } from '../../adapters/kube-fake/index.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { SPIFFEID_API_VERSION, SPIFFEID_GROUP, SPIFFEID_KIND, SPIFFEID_PLURAL, SPIFFEID_VERSION } from '../../handlers/spiffeid/spiffeid.js';
import { parseConfig } from '../../runtime/config/parse-config.js';
import type { CrdConfig } from '../../runtime/config/registrar-config.js';
import { runCrd, type CrdDeps } from '../../runtime/crd/run-crd.js';
import { createLogger } from '../../runtime/logger.js';
import { aRawNode, aRawPod, type PodInit } from '../fixtures/k8s-objects.js';
import { waitUntil } from '../fixtures/wait-until.js';

export type LogLine = Record<string, unknown> & { msg: string };

export type Replica = {
  readonly logs: LogLine[];
  readonly ready: Promise<void>;
  /** The webhook's port, once it listens (webhook_enabled only). */
  readonly webhookPort: Promise<number>;
  stop(): Promise<void>;
  readonly done: Promise<void>;
};

export type CrdWorld = {
  readonly kube: FakeKubeApi;
  readonly spire: MemorySpireServer;
  readonly dir: string;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  startRegistrar(overrides?: Partial<CrdConfig>, deps?: Partial<CrdDeps>): Promise<Replica>;
  entries(): Entry[];
  spiffeIds(namespace?: string): KubeObject[];
  putNode(name: string, uid?: string): void;
  putPod(init: PodInit): void;
  /** Deletes through the API (foreground of nothing: the garbage collector then removes dependents). */
  deletePod(name: string, namespace?: string): Promise<void>;
  waitFor(what: string, check: () => boolean): Promise<void>;
};

export const ids = { group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, plural: SPIFFEID_PLURAL };

export async function startCrdWorld(t: TestContext, kubeOptions: FakeKubeApiOptions = {}): Promise<CrdWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'crd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kube = await startFakeKubeApi({ namespaces: ['default', 'kube-system', 'spire'], ...kubeOptions });
  t.after(() => kube.close());
  const crd = parseYaml(await readFile(new URL('../../deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml', import.meta.url), 'utf8'));
  const res = await fetch(`${kube.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(crd),
  });
  if (res.status !== 201) throw new Error(`register CRD: HTTP ${res.status} ${await res.text()}`);
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock') });
  t.after(() => spire.close());
  const conf = await readFile(new URL('../../deploy/crd/base/registrar-config.yaml', import.meta.url), 'utf8');
  const hcl = conf.split('k8s-workload-registrar.conf: |\n')[1]?.replace(/^ {4}/gm, '') ?? '';
  const kc = kube.kubeConfig();

  const world: CrdWorld = {
    kube,
    spire,
    dir,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    async startRegistrar(overrides = {}, deps = {}) {
      const parsed = await parseConfig(hcl.replace('/tmp/spire-server/private/api.sock', spire.socketPath), 'k8s-workload-registrar.conf');
      if (parsed.config.mode !== 'crd') throw new Error('the tutorial config is not crd mode');
      const config: CrdConfig = { ...parsed.config, metricsBindAddr: '0', resyncIntervalMs: 300, ...overrides };
      const logs: LogLine[] = [];
      const logger = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (line: string) => logs.push(JSON.parse(line)) });
      const abort = new AbortController();
      let onReady = () => {};
      const ready = new Promise<void>((resolve) => (onReady = resolve));
      let onPort: (p: number) => void = () => {};
      const webhookPort = new Promise<number>((resolve) => (onPort = resolve));
      const done = runCrd(
        { config, logger, signal: abort.signal, onReady },
        {
          connect: (cfg) => connectSpire({ serverAddress: cfg.serverAddress, trustDomain: cfg.trustDomain }),
          kubeConfig: () => kube.kubeConfig(),
          namespace: 'spire',
          webhookAddr: '127.0.0.1:0',
          onWebhookListening: onPort,
          ...deps,
        },
      );
      let stopped: Promise<void> | undefined;
      const replica: Replica = {
        logs,
        ready: Promise.race([ready, done.then(() => Promise.reject(new Error('registrar exited before ready')))]),
        webhookPort,
        done,
        stop: () => (stopped ??= (abort.abort(), done)),
      };
      t.after(() => replica.stop().catch(() => {}));
      return replica;
    },
    entries: () => spire.core.entries().map(entryFromWire),
    spiffeIds: (namespace) => kube.store.list(SPIFFEID_API_VERSION, SPIFFEID_KIND, namespace),
    putNode: (name, uid) => void kube.store.putObject(aRawNode({ name, ...(uid ? { uid } : {}) }) as never),
    putPod: (init) => void kube.store.putObject(aRawPod(init) as never),
    async deletePod(name, namespace = 'spire') {
      await world.core.deleteNamespacedPod({ name, namespace });
    },
    waitFor: (what, check) => waitUntil(what, check, { intervalMs: 20 }),
  };
  return world;
}

/** `spiffeId <- parentId [selectors] dns=...`, sorted: the entry set as a failure message shows it well. */
export function describeEntries(entries: readonly Entry[]): string[] {
  return entries
    .map((e) => `${e.spiffeId} <- ${e.parentId} [${e.selectors.map((s) => `${s.type}:${s.value}`).sort().join(' ')}]${e.dnsNames.length ? ` dns=${e.dnsNames.join(',')}` : ''}`)
    .sort();
}

/** Waits until the registrar logged `n` more passes than it had logged when called. */
export async function passes(world: CrdWorld, replica: Replica, n: number): Promise<void> {
  const count = () => replica.logs.filter((l) => l.msg === 'CRD pass done').length;
  const target = count() + n;
  await world.waitFor(`${n} more crd passes`, () => count() >= target);
}

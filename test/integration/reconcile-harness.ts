// A reconcile-mode world for integration tests: the fake Kubernetes API server, the in-memory SPIRE
// server on a Unix socket, and registrar replicas running the real mode code against both. Everything
// is torn down by t.after, even when a test fails.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { parseConfig } from '../../runtime/config/parse-config.js';
import type { ReconcileConfig } from '../../runtime/config/registrar-config.js';
import { createLogger } from '../../runtime/logger.js';
import { runReconcile, type ReconcileDeps } from '../../runtime/reconcile/run-reconcile.js';
import { aRawNode, aRawPod, type PodInit } from '../fixtures/k8s-objects.js';
import { waitUntil } from '../fixtures/wait-until.js';

export type LogLine = Record<string, unknown> & { msg: string };

export type Replica = {
  readonly logs: LogLine[];
  /** Resolves when the mode called onReady. */
  readonly ready: Promise<void>;
  /** Aborts the mode and waits for its graceful shutdown. */
  stop(): Promise<void>;
  /** The mode's promise (rejects on a fatal error). */
  readonly done: Promise<void>;
};

export type World = {
  readonly kube: FakeKubeApi;
  readonly spire: MemorySpireServer;
  readonly dir: string;
  /** The tutorial's ConfigMap text, parsed by the real config parser, with test overrides. */
  config(overrides?: Partial<ReconcileConfig>): Promise<ReconcileConfig>;
  startRegistrar(overrides?: Partial<ReconcileConfig>, deps?: Partial<ReconcileDeps>): Promise<Replica>;
  entries(): Entry[];
  putNode(name: string, annotations?: Record<string, string>): void;
  putPod(init: PodInit): void;
  deletePod(name: string, namespace?: string): void;
  /** Polls `check` until it returns true (see waitUntil: the limit is only a hang guard). */
  waitFor(what: string, check: () => boolean): Promise<void>;
};

export const ROOT = 'spiffe://example.org/spire-k8s-registrar/k8stest/node';

/** @param federatedTrustDomains trust domains the SPIRE server holds a federated bundle for (none by default). */
export async function startWorld(t: TestContext, federatedTrustDomains: readonly string[] = []): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'reconcile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kube = await startFakeKubeApi({ namespaces: ['default', 'kube-system', 'spire'] });
  t.after(() => kube.close());
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), federatedTrustDomains });
  t.after(() => spire.close());
  const tutorialConf = await readFile(new URL('../../deploy/reconcile/registrar-config.yaml', import.meta.url), 'utf8');
  const hcl = tutorialConf.split('k8s-workload-registrar.conf: |\n')[1]?.replace(/^ {4}/gm, '') ?? '';

  const world: World = {
    kube,
    spire,
    dir,
    async config(overrides = {}) {
      const parsed = await parseConfig(hcl.replace('/tmp/spire-server/private/api.sock', spire.socketPath), 'k8s-workload-registrar.conf');
      if (parsed.config.mode !== 'reconcile') throw new Error('the tutorial config is not reconcile mode');
      return { ...parsed.config, resyncIntervalMs: 500, ...overrides };
    },
    async startRegistrar(overrides = {}, deps = {}) {
      const config = await world.config(overrides);
      const logs: LogLine[] = [];
      const logger = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (line: string) => logs.push(JSON.parse(line)) });
      const abort = new AbortController();
      let onReady = () => {};
      const ready = new Promise<void>((resolve) => (onReady = resolve));
      const done = runReconcile(
        { config, logger, signal: abort.signal, onReady },
        {
          connect: (cfg) => connectSpire({ serverAddress: cfg.serverAddress, trustDomain: cfg.trustDomain, logger: logger.child({ component: 'spire' }) }),
          kubeConfig: () => kube.kubeConfig(),
          ...deps,
        },
      );
      let stopped: Promise<void> | undefined;
      const replica: Replica = {
        logs,
        ready: Promise.race([ready, done.then(() => Promise.reject(new Error('registrar exited before ready')))]),
        done,
        stop: () => (stopped ??= (abort.abort(), done)),
      };
      t.after(() => replica.stop().catch(() => {}));
      return replica;
    },
    entries: () => spire.core.entries().map(entryFromWire),
    putNode: (name, annotations) => void kube.store.putObject(aRawNode({ name, ...(annotations ? { annotations } : {}) }) as never),
    putPod: (init) => void kube.store.putObject(aRawPod(init) as never),
    deletePod: (name, namespace = 'spire') => void kube.store.deleteObject('v1', 'Pod', name, namespace),
    waitFor: (what, check) => waitUntil(what, check, { intervalMs: 20 }),
  };
  return world;
}

/** `spiffeId <- parentId [selectors]`, sorted: the entry set in a form a failure message shows well. */
export function describeEntries(entries: readonly Entry[]): string[] {
  return entries
    .map((e) => `${e.spiffeId} <- ${e.parentId} [${e.selectors.map((s) => `${s.type}:${s.value}`).sort().join(' ')}]`)
    .sort();
}

// The local sandbox: in one process, the in-memory SPIRE server on a Unix socket, the fake Kubernetes API
// server on a loopback port with a simulated one-node cluster, and the registrar in the chosen mode with
// the tutorial's configuration. Any part can be left out so that a real one takes its place.
import { createServer } from 'node:net';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { startFakeKubeApi, timestamp, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import { parseConfig } from '../config/parse-config.js';
import type { Mode, RegistrarConfig } from '../config/registrar-config.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { createLogger } from '../logger.js';
import { kubeRest } from './cluster/kube-rest.js';
import { sandboxNode } from './cluster/sandbox-node.js';
import { startSimulatedCluster, type SimulatedCluster } from './cluster/simulated-cluster.js';
import { DEPLOY_DIR, loadManifests, registrarConfigText } from './manifests.js';
import { sandboxConfigText } from './sandbox-config.js';
import { REGISTRAR_NAMESPACE, startSandboxRegistrar, type SandboxRegistrar } from './sandbox-registrar.js';
import { createIdSource } from './seeded-ids.js';
import { makeWebhookCerts, type WebhookCerts } from './webhook-certs.js';

export const MODES: readonly Mode[] = ['webhook', 'reconcile', 'crd'];
export const TRUST_DOMAIN = 'example.org';

export type SandboxOptions = {
  readonly mode: Mode;
  /** State directory: sockets, kubeconfig, certificates, registrar.conf, registrar.log. */
  readonly dir: string;
  /** Start the in-memory SPIRE server (default true); otherwise use `spireSocket`. */
  readonly spire?: boolean;
  /** Start the fake API server and simulated cluster (default true); otherwise the registrar uses $KUBECONFIG. */
  readonly kube?: boolean;
  /** Start the registrar (default true); otherwise only write its configuration. */
  readonly registrar?: boolean;
  /** SPIRE server socket; default <dir>/api.sock (or the tutorial's path with spire: false). */
  readonly spireSocket?: string;
  /** Seed for made-up names and IDs (pod name suffixes, node UID, entry IDs); random by default. */
  readonly seed?: number;
  /** How long to wait for the registrar to be ready; default 30 s. */
  readonly readyTimeoutMs?: number;
};

export type Sandbox = {
  readonly mode: Mode;
  readonly dir: string;
  readonly spireSocket: string;
  readonly configPath: string;
  readonly logPath: string;
  /** Written when the fake API server runs. */
  readonly kubeconfigPath?: string;
  readonly config: RegistrarConfig;
  readonly api?: FakeKubeApi;
  readonly spire?: MemorySpireServer;
  readonly cluster?: SimulatedCluster;
  close(): Promise<void>;
};

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const logPath = join(dir, 'registrar.log');
  const sandboxLogPath = join(dir, 'sandbox.log');
  await rm(logPath, { force: true });
  await rm(sandboxLogPath, { force: true });
  const log: Logger = createLogger({ logLevel: 'info', logFormat: 'text', logPath: sandboxLogPath });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => log.error({ err }, 'Sandbox shutdown step failed'));
  };

  try {
    const wantSpire = options.spire ?? true;
    const spireSocket = resolve(options.spireSocket ?? (wantSpire ? join(dir, 'api.sock') : '/tmp/spire-server/private/api.sock'));
    let spire: MemorySpireServer | undefined;
    if (wantSpire) {
      const entryIds = createIdSource(seed + 1);
      spire = await startMemorySpireServer({ socketPath: spireSocket, trustDomain: TRUST_DOMAIN, federatedTrustDomains: 'any', newId: entryIds.uuid });
      closers.push(() => spire!.close());
    }

    const certs: WebhookCerts | undefined = options.mode === 'webhook' ? await makeWebhookCerts(dir) : undefined;
    // Webhook mode: the registrar's HTTPS port, written into registrar.conf and resolved for the webhook's Service.
    const webhookPort = options.mode === 'webhook' ? await freePort() : 0;
    const manifests = await loadManifests(join(DEPLOY_DIR, options.mode), certs ? { generatedDir: certs.generatedDir } : {});

    let api: FakeKubeApi | undefined;
    let cluster: SimulatedCluster | undefined;
    let kubeconfigPath: string | undefined;
    let kubeConfig: () => KubeConfig;
    if (options.kube ?? true) {
      api = await startFakeKubeApi({
        namespaces: ['default', 'kube-system', 'kube-public', 'kube-node-lease', REGISTRAR_NAMESPACE],
        webhooks: {
          resolveService: (svc) =>
            svc.namespace === REGISTRAR_NAMESPACE && svc.name === 'k8s-workload-registrar' ? { host: '127.0.0.1', port: webhookPort } : undefined,
          ...(certs ? { clientCert: certs.apiServerClient } : {}),
        },
        onError: (err) => log.warn({ err }, 'Fake API server background work failed'),
      });
      closers.push(() => api!.close());
      kubeconfigPath = join(dir, 'kubeconfig');
      await api.writeKubeconfig(kubeconfigPath);
      const fake = api;
      kubeConfig = () => fake.kubeConfig();
      api.store.putObject(sandboxNode(createIdSource(seed + 2).uuid(), timestamp(new Date())));
      await installClusterParts(api, manifests, options.mode);
      cluster = startSimulatedCluster({ api, ids: createIdSource(seed), log: log.child({ component: 'cluster' }) });
      closers.push(() => cluster!.stop());
    } else {
      kubeConfig = () => loadKubeConfig({ log }).kubeConfig;
    }

    const configPath = join(dir, 'registrar.conf');
    const configText = sandboxConfigText(options.mode, registrarConfigText(manifests), {
      spireSocket,
      certsDir: certs?.certsDir ?? join(dir, 'certs'),
      secretDir: certs?.secretDir ?? join(dir, 'secret'),
      logPath,
      webhookAddr: `127.0.0.1:${webhookPort}`, // used in webhook mode only
    });
    await writeFile(configPath, configText);
    const { config } = await parseConfig(configText, configPath);

    if (options.registrar ?? true) {
      const registrar: SandboxRegistrar = startSandboxRegistrar(config, createLogger(config), kubeConfig);
      closers.push(() => registrar.stop());
      await withTimeout(registrar.ready, options.readyTimeoutMs ?? 30_000, `the registrar was not ready within ${(options.readyTimeoutMs ?? 30_000) / 1000} s (is the SPIRE server at ${spireSocket} up? see ${logPath})`);
    }
    return {
      mode: options.mode,
      dir,
      spireSocket,
      configPath,
      logPath,
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      config,
      ...(api ? { api } : {}),
      ...(spire ? { spire } : {}),
      ...(cluster ? { cluster } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw new Error(`start the ${options.mode} sandbox in ${dir}`, { cause: err });
  }
}

/**
 * What the cluster must hold before the registrar starts, as in the tutorial's cluster where the SPIRE
 * server pod (and the registrar in it) comes up after these are applied: the SpiffeID CRD (crd mode's
 * informers list SpiffeIDs), and the ValidatingWebhookConfiguration (webhook mode; kustomize applies it
 * last, but the agent's and workload's pods must be admitted through it).
 */
async function installClusterParts(api: FakeKubeApi, manifests: Awaited<ReturnType<typeof loadManifests>>, mode: Mode): Promise<void> {
  const rest = kubeRest(api.url);
  for (const obj of manifests) {
    if (mode === 'crd' && obj.kind === 'CustomResourceDefinition') {
      await rest.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', obj);
    }
    if (mode === 'webhook' && obj.kind === 'ValidatingWebhookConfiguration') {
      await rest.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', obj);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A loopback port free right now, for the registrar's webhook listener (written into registrar.conf). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res, rej) => server.once('error', rej).listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

// Webhook mode for fault tests: runtime/webhook/run-webhook.ts over real HTTPS (certificates made here)
// and the real gRPC client against a restartable in-memory SPIRE server, with the fake API server
// holding the pods (for webhook_resync). `admit` plays the API server with failurePolicy: Ignore: it
// sends the review, and the pod is created (or deleted) whatever the answer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { createLogger } from '../../runtime/logger.js';
import { webhookSpireTransport } from '../../runtime/modes/webhook.js';
import { runWebhook } from '../../runtime/webhook/run-webhook.js';
import { anAdmissionReview } from '../fixtures/admission.js';
import { aRawPod, type PodInit } from '../fixtures/k8s-objects.js';
import { waitUntil } from '../fixtures/wait-until.js';
import { aWebhookConfig, webhookTls } from '../fixtures/webhook-tls.js';
import { postJson, type ClientResponse } from '../integration/webhook-client.js';
import { restartable, type RestartableSpire } from './spire-restart.js';

export type LogLine = Record<string, unknown> & { msg: string };

export const NODE_ID = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';

export type WebhookWorld = {
  readonly spire: RestartableSpire;
  readonly kube: FakeKubeApi;
  readonly logs: LogLine[];
  /** Sends the pod's review, then creates (or deletes) the pod in the API server whatever the answer. */
  admit(op: 'CREATE' | 'DELETE', pod: PodInit): Promise<ClientResponse>;
  stop(): Promise<void>;
  /** Re-checks until `check` holds (test/fixtures/wait-until.ts: the limit is a hang guard only). */
  waitFor(what: string, check: () => boolean): Promise<void>;
};

export async function startWebhookWorld(
  t: TestContext,
  opts: { webhookResync: boolean; resyncIntervalMs: number; spireTimeoutMs?: number; before?: (w: { kube: FakeKubeApi }) => void },
): Promise<WebhookWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-faults-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kube = await startFakeKubeApi({ namespaces: ['default', 'kube-system', 'spire'] });
  t.after(() => kube.close());
  opts.before?.({ kube });
  const first = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), trustDomain: 'example.org' });
  t.after(() => first.close());
  const spire = restartable(t, first);

  const files = await webhookTls(dir);

  const config = aWebhookConfig(first.address, files, { healthAddr: '0', webhookResync: opts.webhookResync, resyncIntervalMs: opts.resyncIntervalMs });
  const logs: LogLine[] = [];
  const logger = createLogger(config, { write: (l: string) => logs.push(JSON.parse(l)) });
  const abort = new AbortController();
  // Long enough that a loaded machine never turns a healthy review into a 500; a review during an
  // outage waits this long for the channel before it answers 500.
  const spireTimeoutMs = opts.spireTimeoutMs ?? 5_000;
  const running = runWebhook(
    { config, logger, signal: abort.signal },
    {
      spireTimeoutMs,
      connect: (cfg) => connectSpire({ serverAddress: cfg.serverAddress, trustDomain: cfg.trustDomain, callTimeoutMs: spireTimeoutMs, transport: webhookSpireTransport() }),
      kubeConfig: () => kube.kubeConfig(),
    },
  );
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (abort.abort(), running));
  t.after(() => stop());

  const waitFor = (what: string, check: () => boolean) => waitUntil(what, check, { intervalMs: 20 });
  await waitFor('the webhook to be ready', () => logs.some((l) => l.msg === 'Webhook ready'));
  const port = logs.find((l) => l.msg === 'Serving admission webhook')?.port as number;
  const tls = files.client;
  let uid = 0;
  return {
    spire,
    kube,
    logs,
    async admit(op, pod) {
      const res = await postJson(`https://127.0.0.1:${port}/validate`, tls, anAdmissionReview({ uid: `u${++uid}`, operation: op, pod }));
      if (op === 'CREATE') kube.store.putObject(aRawPod(pod) as never);
      else kube.store.deleteObject('v1', 'Pod', pod.name ?? '', pod.namespace ?? 'spire');
      return res;
    },
    stop,
    waitFor,
  };
}

// Webhook mode end to end: runtime/modes/webhook.ts over a real HTTPS listener (certificates made here)
// and the real gRPC client against the in-memory SPIRE server on a Unix socket. Replays the tutorial:
// the node entry at start-up, the agent's and the workload's entries on pod CREATE, the workload's
// removal on pod DELETE; then the failure cases.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { connectSpire } from '../../adapters/spire/connect.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { formatSelector } from '../../handlers/entries/selectors.js';
import { createLogger } from '../../runtime/logger.js';
import { run } from '../../runtime/modes/webhook.js';
import { anAdmissionReview, type AdmissionInit } from '../fixtures/admission.js';
import { httpsRequest, postJson, type ClientTls } from './webhook-client.js';
import { waitForValue, waitUntil } from '../fixtures/wait-until.js';
import { aWebhookConfig, webhookTls } from '../fixtures/webhook-tls.js';

type LogLine = Record<string, unknown>;

async function startRegistrar(t: TestContext, opts: { spireDown?: boolean; insecure?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-mode-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), trustDomain: 'example.org' });
  t.after(() => spire.close());
  if (opts.spireDown) spire.core.faults.unavailable(true);

  const files = await webhookTls(dir);

  const config = aWebhookConfig(spire.address, files, { insecureSkipClientVerification: opts.insecure ?? false });
  const logs: LogLine[] = [];
  const logger = createLogger(config, { write: (l: string) => logs.push(JSON.parse(l)) });
  const abort = new AbortController();
  let ready = false;
  const running = run({ config, logger, signal: abort.signal, onReady: () => (ready = true) });
  t.after(async () => {
    abort.abort();
    await running;
  });
  const waitFor = <T>(what: string, get: () => T | undefined): Promise<T> => waitForValue(what, get, { intervalMs: 20 });
  const portFrom = (msg: string) => () => logs.find((l) => l.msg === msg)?.port as number | undefined;
  const port = await waitFor('the HTTPS listener', portFrom('Serving admission webhook'));
  const healthPort = await waitFor('the health listener', portFrom('Serving metrics and health checks'));

  const client = await connectSpire({ serverAddress: spire.address, trustDomain: 'example.org', retry: { maxAttempts: 1 } });
  t.after(() => client.close());
  const tls: ClientTls = files.client;
  const url = `https://127.0.0.1:${port}/validate`;
  return {
    spire,
    logs,
    tls,
    url,
    abort,
    running,
    isReady: () => ready,
    waitReady: () => waitFor('readiness', () => (ready ? true : undefined)),
    health: (path: string) => fetch(`http://127.0.0.1:${healthPort}${path}`),
    review: (init: AdmissionInit) => postJson(url, tls, anAdmissionReview(init)),
    /** Entries as the gRPC client lists them over the Unix socket, in creation order. */
    entries: async () =>
      (await client.entries.listEntries()).map((e) => ({ spiffeId: e.spiffeId, parentId: e.parentId, selectors: e.selectors.map(formatSelector) })),
  };
}

const nodeEntry = {
  spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node',
  parentId: 'spiffe://example.org/spire/server',
  selectors: ['k8s_psat:cluster:k8stest'],
};
const agentPod = { name: 'spire-agent-5x2kq', generateName: 'spire-agent-', namespace: 'spire', serviceAccount: 'spire-agent' };
const workloadPod = { name: 'example-workload-6f8d9c-7wz4p', generateName: 'example-workload-6f8d9c-', namespace: 'spire', serviceAccount: 'default' };
const agentEntry = {
  spiffeId: 'spiffe://example.org/ns/spire/sa/spire-agent',
  parentId: nodeEntry.spiffeId,
  selectors: ['k8s:ns:spire', 'k8s:pod-name:spire-agent-5x2kq'],
};
const workloadEntry = {
  spiffeId: 'spiffe://example.org/ns/spire/sa/default',
  parentId: nodeEntry.spiffeId,
  selectors: ['k8s:ns:spire', 'k8s:pod-name:example-workload-6f8d9c-7wz4p'],
};

test('the tutorial: node, agent and workload entries, then the workload entry removed on DELETE', async (t) => {
  const r = await startRegistrar(t);
  await r.waitReady();
  assert.equal((await r.health('/readyz')).status, 200);
  assert.deepEqual(await r.entries(), [nodeEntry]);

  const agent = await r.review({ uid: 'agent-create', pod: agentPod });
  assert.equal(agent.status, 200, agent.text);
  assert.deepEqual(JSON.parse(agent.text), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'agent-create', allowed: true } });
  const workload = await r.review({ apiVersion: 'admission.k8s.io/v1beta1', uid: 'wl-create', pod: workloadPod });
  assert.deepEqual(JSON.parse(workload.text), { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: { uid: 'wl-create', allowed: true } });
  assert.deepEqual(await r.entries(), [nodeEntry, agentEntry, workloadEntry]);

  // What `kubectl logs ... | grep "Created pod entry"` shows: node, agent, workload, in that order.
  assert.deepEqual(
    r.logs.filter((l) => l.msg === 'Created pod entry').map((l) => [l.level, l.spiffe_id, l.parent_id, l.selectors]),
    [nodeEntry, agentEntry, workloadEntry].map((e) => ['info', e.spiffeId, e.parentId, e.selectors.join(',')]),
  );

  const del = await r.review({ uid: 'wl-delete', operation: 'DELETE', pod: workloadPod });
  assert.deepEqual(JSON.parse(del.text).response, { uid: 'wl-delete', allowed: true });
  assert.deepEqual(await r.entries(), [nodeEntry, agentEntry]);
  assert.deepEqual(r.logs.filter((l) => l.msg === 'Deleted pod entry').map((l) => [l.level, l.spiffe_id, l.selectors]), [
    ['info', workloadEntry.spiffeId, workloadEntry.selectors.join(',')],
  ]);

  // The API server may call again for the same pod (retries, a second webhook replica): no change.
  await r.review({ uid: 'agent-create-again', pod: agentPod });
  await r.review({ uid: 'wl-delete-again', operation: 'DELETE', pod: workloadPod });
  assert.deepEqual(await r.entries(), [nodeEntry, agentEntry]);

  // /metrics on the health port counts what was written (the repeated calls wrote nothing).
  // The repeated DELETE found no entry, which has the node entry checked (one more BatchCreateEntry,
  // answered ALREADY_EXISTS inside an OK call): wait for that check before reading the counters.
  const nodeChecks = /^k8s_workload_registrar_spire_calls_total\{method="BatchCreateEntry",code="OK"\} 5$/m;
  let metrics = '';
  await waitUntil('the node check in /metrics', async () => nodeChecks.test((metrics = await (await r.health('/metrics')).text())), { intervalMs: 20 });
  assert.match(metrics, /^k8s_workload_registrar_entries_created_total 3$/m);
  assert.match(metrics, /^k8s_workload_registrar_entries_deleted_total 1$/m);
  // ...and every SPIRE call by RPC and code: node + 3 pod creates + the node check; one batch delete
  // (the repeat found nothing).
  assert.match(metrics, nodeChecks);
  assert.match(metrics, /^k8s_workload_registrar_spire_calls_total\{method="BatchDeleteEntry",code="OK"\} 1$/m);
});

test('a client without a certificate is refused; one with the API server certificate is served', async (t) => {
  const r = await startRegistrar(t);
  await r.waitReady();
  await assert.rejects(postJson(r.url, { ca: r.tls.ca }, anAdmissionReview()));
  assert.equal((await r.review({ pod: { name: 'p' } })).status, 200);
});

test('insecure_skip_client_verification serves clients without a certificate and warns at start-up', async (t) => {
  const r = await startRegistrar(t, { insecure: true });
  await r.waitReady();
  assert.equal((await postJson(r.url, { ca: r.tls.ca }, anAdmissionReview())).status, 200);
  assert.equal(r.logs.some((l) => l.level === 'warning' && String(l.msg).startsWith('insecure_skip_client_verification is set')), true);
});

test('each HTTP error over the real listener is a one-line message', async (t) => {
  const r = await startRegistrar(t);
  await r.waitReady();
  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, url = r.url) =>
    httpsRequest(url, r.tls, { method: 'POST', headers, body });
  const cases: [string, Promise<{ status: number; text: string }>, number, RegExp][] = [
    ['wrong path', post('{}', undefined, r.url.replace('/validate', '/mutate')), 404, /^Not found: \/mutate\n$/],
    ['wrong method', httpsRequest(r.url, r.tls, { method: 'GET' }), 405, /^Expected POST; got GET\n$/],
    ['not JSON', post('{}', { 'content-type': 'text/plain' }), 400, /^Expected JSON content; got Content-Type "text\/plain"\n$/],
    ['undecodable', post('{"apiVersion":'), 400, /^Malformed JSON body: [^\n]+\n$/],
    ['unsupported version', post(JSON.stringify({ ...anAdmissionReview(), apiVersion: 'admission.k8s.io/v2' })), 400, /^Unsupported AdmissionReview: [^\n]+\n$/],
    ['too large', post(JSON.stringify({ ...anAdmissionReview(), pad: 'x'.repeat(3 * 1024 * 1024) })), 413, /^Request body is larger than 3145728 bytes\n$/],
  ];
  for (const [name, res, status, text] of cases) {
    const got = await res;
    assert.equal(got.status, status, name);
    assert.match(got.text, text, name);
  }
  // The process is still serving.
  assert.equal((await r.review({ pod: { name: 'p' } })).status, 200);
});

test('SPIRE unavailable during an admission: 500 "Internal error occurred", nothing half-written', async (t) => {
  const r = await startRegistrar(t);
  await r.waitReady();
  await r.review({ pod: workloadPod });
  const before = await r.entries();
  r.spire.core.faults.unavailable(true);
  const create = await r.review({ uid: 'c', pod: agentPod });
  assert.equal(create.status, 500);
  assert.match(create.text, /^Internal error occurred: create pod entry: [^\n]*UNAVAILABLE[^\n]*\n$/);
  const del = await r.review({ uid: 'd', operation: 'DELETE', pod: workloadPod });
  assert.equal(del.status, 500);
  // The pod's CREATE went through this process: its DELETE goes by the remembered entry ID first; the
  // API server's retry no longer has it and looks the entry up.
  assert.match(del.text, /^Internal error occurred: delete pod entry: [^\n]*UNAVAILABLE[^\n]*\n$/);
  const retry = await r.review({ uid: 'd2', operation: 'DELETE', pod: workloadPod });
  assert.equal(retry.status, 500);
  assert.match(retry.text, /^Internal error occurred: list pod entries: [^\n]*\n$/);
  r.spire.core.faults.unavailable(false);
  assert.deepEqual(await r.entries(), before);
});

test('not ready until SPIRE answers: /readyz and admissions are 503, then the node entry appears and both are served (differs from the original, which had no health port and did not listen before SPIRE answered)', async (t) => {
  const r = await startRegistrar(t, { spireDown: true });
  assert.equal(r.isReady(), false);
  const readyz = await r.health('/readyz');
  assert.deepEqual([readyz.status, await readyz.text()], [503, 'not ready: cluster node entry\n']);
  assert.equal((await r.health('/healthz')).status, 200);
  const early = await r.review({ pod: agentPod });
  assert.deepEqual([early.status, early.text], [503, 'Service unavailable: the cluster node entry is not registered in SPIRE yet\n']);

  r.spire.core.faults.unavailable(false);
  await r.waitReady();
  assert.equal((await r.health('/readyz')).status, 200);
  assert.equal((await r.review({ pod: agentPod })).status, 200);
  assert.deepEqual(await r.entries(), [nodeEntry, agentEntry]);
});

test('shutdown: run() resolves after the signal and the listener is closed', async (t) => {
  const r = await startRegistrar(t);
  await r.waitReady();
  r.abort.abort();
  await r.running;
  await assert.rejects(r.review({ pod: agentPod }), /ECONNREFUSED/);
});

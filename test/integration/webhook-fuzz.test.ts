// A bounded admission fuzz run against the real registrar process in webhook mode (mTLS, in-memory SPIRE
// on a Unix socket): a few hundred seeded hostile requests, then checks that the process is alive and
// still admits a good pod, that nothing was answered 5xx and every invalid envelope 4xx, that no SPIRE
// entry lies outside the trust domain or on a path a workload may not have, and that RSS stayed bounded.
// The seed is fixed so that a failure replays; FUZZ_SEED and FUZZ_COUNT explore further by hand.
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRegistrar } from '../../bench/lib/registrar-process.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { webhookTls } from '../fixtures/webhook-tls.js';
import { workloadIdProblem } from '../../handlers/identity/workload-id-rules.js';
import { anAdmissionReview } from '../fixtures/admission.js';
import { hostileRequests } from '../fixtures/hostile-reviews.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261130);
const count = Number(process.env.FUZZ_COUNT ?? 300);
/** Far above the registrar's steady state (~100 MiB) and far below what echoing or buffering every input would take. */
const maxPeakRssMiB = 400;

function post(agent: https.Agent, url: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test(`webhook fuzz: ${count} hostile requests (seed ${seed}) over mTLS against the registrar process`, { timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-fuzz-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), trustDomain: 'example.org' });
  t.after(() => spire.close());
  const files = await webhookTls(dir);
  const hcl = [
    'mode = "webhook"',
    'trust_domain = "example.org"',
    'cluster = "k8stest"',
    `server_socket_path = "${spire.socketPath}"`,
    `cert_path = "${files.certPath}"`,
    `key_path = "${files.keyPath}"`,
    `cacert_path = "${files.caPath}"`,
    'pod_annotation = "spiffe.io/spiffe-id"',
    'addr = "127.0.0.1:0"',
    'log_format = "json"',
    'log_level = "info"',
    '',
  ].join('\n');
  const reg = await startRegistrar({ dir, hcl, name: 'fuzz', watchMessages: ['Starting k8s-workload-registrar', 'Serving admission webhook', 'Webhook ready'] });
  t.after(() => reg.stop());
  const started = reg.waitForLog('Starting k8s-workload-registrar');
  const listening = await reg.waitForLog('Serving admission webhook', undefined, 120_000);
  await reg.waitForLog('Webhook ready', undefined, 120_000);
  const url = `https://127.0.0.1:${Number(listening.line.port)}/validate`;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...files.client });
  t.after(() => agent.destroy());

  const requests = hostileRequests(seed, count, 'example.org', 'k8stest');
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  // Four at a time, as an API server would send concurrent admissions.
  for (let i = 0; i < requests.length; i += 4) {
    await Promise.all(requests.slice(i, i + 4).map(async (r) => {
      const res = await post(agent, url, r.body, r.contentType);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${r.name}: ${res.status} ${res.text.slice(0, 200)}`);
      else if (r.invalidEnvelope && (res.status < 400 || res.status >= 500)) failures.push(`${r.name}: expected 4xx, got ${res.status}`);
      else if (!r.invalidEnvelope && res.status !== 200) failures.push(`${r.name}: expected 200, got ${res.status} ${res.text.slice(0, 200)}`);
      // Echoed input is cut: no answer carries more than a few KB, whatever was sent.
      if (res.text.length > 4096) failures.push(`${r.name}: a ${res.text.length}-character answer`);
    }));
  }
  assert.deepEqual(failures, [], `status counts ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(200) ?? 0) > 0, 'the generator produced both kinds');

  // Still serving: a fair pod gets its entry.
  const good = await post(agent, url, JSON.stringify(anAdmissionReview({ uid: 'good', pod: { name: 'good-0', namespace: 'default', annotations: { 'spiffe.io/spiffe-id': 'team/good' } } })), 'application/json');
  assert.equal(good.status, 200, good.text);

  const entries = spire.core.entries();
  const ids = entries.map((e) => `spiffe://${e.spiffe_id?.trust_domain}${e.spiffe_id?.path}`);
  assert.ok(ids.includes('spiffe://example.org/team/good'), 'the good admission wrote its entry');
  const clusterNode = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
  for (const id of ids.filter((x) => x !== clusterNode)) assert.equal(workloadIdProblem(id, { trustDomain: 'example.org' }), undefined, id.slice(0, 200));
  // The same, independent of the rule under test: nothing under SPIRE's or the registrar's own paths.
  for (const id of ids.filter((x) => x !== clusterNode)) {
    assert.ok(!/^spiffe:\/\/example\.org\/(spire|k8s-workload-registrar)(\/|$)/.test(id), `a reserved ID was written: ${id.slice(0, 200)}`);
  }
  for (const e of entries) for (const s of e.selectors) assert.ok(s.value.length <= 260, `a ${s.value.length}-character selector`);

  const peak = reg.peakRssMiB();
  t.diagnostic(`statuses ${JSON.stringify([...statuses])}, ${entries.length} entries, registrar peak RSS ${peak} MiB`);
  assert.ok(peak < maxPeakRssMiB, `peak RSS ${peak} MiB`);
  // Webhook mode runs in a thread of its own (heap-tuning.ts), which says so with the young generation V8
  // gave it; SIGTERM still stops it gracefully through the main thread.
  assert.equal((await started).line.youngGenerationMiB, 12);
  assert.equal(await reg.stop(), 0);
});

// The fake API server calls ValidatingWebhookConfigurations over HTTPS like a real API server: caBundle,
// client certificate, service resolution, rules and selectors, failurePolicy, denial messages.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { AdmissionregistrationV1Api, ApiException, CoreV1Api, type V1ValidatingWebhook } from '@kubernetes/client-node';
import { type FakeKubeApi, startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';

type Seen = { operation: string; name: string; hasOld: boolean; clientCn: string };

let api: FakeKubeApi;
let webhook: Server;
let webhookPort = 0;
let caBundle = '';
const seen: Seen[] = [];

before(async () => {
  const ca = await createCa({ commonName: 'test-ca' });
  const serving = await issueKeyAndCert(ca, { commonName: 'registrar', dnsNames: ['registrar.spire.svc'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const client = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', usage: 'client' });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  webhook = createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const review = JSON.parse(text) as { request: { uid: string; operation: string; name: string; object: { metadata: { labels?: Record<string, string> } } | null; oldObject: unknown } };
      const r = review.request;
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ operation: r.operation, name: r.name, hasOld: r.oldObject !== null, clientCn: String(peer.subject?.CN ?? '') });
      const deny = r.object?.metadata.labels?.['deny'] === 'yes';
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
        response: { uid: r.uid, allowed: !deny, ...(deny ? { status: { code: 403, message: 'pods labelled deny are refused' } } : {}), warnings: ['seen by test webhook'] },
      }));
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookPort = (webhook.address() as AddressInfo).port;
  api = await startFakeKubeApi({
    webhooks: {
      resolveService: (svc) => (svc.namespace === 'spire' && svc.name === 'registrar' ? { host: '127.0.0.1', port: webhookPort } : undefined),
      clientCert: { certPem: client.certPem, keyPem: client.keyPem },
    },
  });
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'spire' } } });
  await core.createNamespace({ body: { metadata: { name: 'ignored', labels: { 'webhook': 'off' } } } });
});
after(async () => {
  await api.close();
  await new Promise((r) => webhook.close(r));
});

const hook = (name: string, over: Partial<V1ValidatingWebhook> = {}): V1ValidatingWebhook => ({
  name, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 5,
  clientConfig: { service: { namespace: 'spire', name: 'registrar', path: '/validate-pods', port: 443 }, caBundle },
  rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['pods'], scope: 'Namespaced' }],
  namespaceSelector: { matchExpressions: [{ key: 'webhook', operator: 'NotIn', values: ['off'] }] },
  ...over,
});

async function withConfig(webhooks: V1ValidatingWebhook[], body: () => Promise<void>): Promise<void> {
  const adm = api.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
  await adm.createValidatingWebhookConfiguration({ body: { metadata: { name: 'cfg' }, webhooks } });
  try {
    await body();
  } finally {
    await adm.deleteValidatingWebhookConfiguration({ name: 'cfg' });
  }
}

const aPod = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  namespace, body: { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
});

test('a matching webhook is called with CREATE and DELETE over mutual TLS; a denial is the API server Status', async () => {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  seen.length = 0;
  await withConfig([hook('registrar.spire.svc')], async () => {
    await core.createNamespacedPod(aPod('ok', 'spire'));
    await core.deleteNamespacedPod({ name: 'ok', namespace: 'spire' });
    await assert.rejects(core.createNamespacedPod(aPod('bad', 'spire', { deny: 'yes' })), (err: unknown) => {
      assert.ok(err instanceof ApiException);
      assert.equal(err.code, 403);
      assert.match(String(err.body), /admission webhook \\?"registrar.spire.svc\\?" denied the request: pods labelled deny are refused/);
      return true;
    });
  });
  assert.deepEqual(seen, [
    { operation: 'CREATE', name: 'ok', hasOld: false, clientCn: 'kube-apiserver' },
    { operation: 'DELETE', name: 'ok', hasOld: true, clientCn: 'kube-apiserver' },
    { operation: 'CREATE', name: 'bad', hasOld: false, clientCn: 'kube-apiserver' },
  ]);
  await assert.rejects(core.readNamespacedPod({ name: 'bad', namespace: 'spire' }), (err: unknown) => err instanceof ApiException && err.code === 404);
});

test('namespaceSelector, objectSelector and rules decide whether the webhook is called', async () => {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  seen.length = 0;
  await withConfig([hook('registrar.spire.svc', { objectSelector: { matchLabels: { checked: 'true' } } })], async () => {
    await core.createNamespacedPod(aPod('in-ignored-ns', 'ignored', { checked: 'true' }));
    await core.createNamespacedPod(aPod('not-selected', 'spire'));
    await core.createNamespacedConfigMap({ namespace: 'spire', body: { metadata: { name: 'cm', labels: { checked: 'true' } } } });
    await core.createNamespacedPod(aPod('selected', 'spire', { checked: 'true' }));
  });
  assert.deepEqual(seen.map((s) => s.name), ['selected']);
});

test('failurePolicy: Fail refuses with 500 when the webhook cannot be reached, Ignore lets the request through', async () => {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const unreachable = { service: { namespace: 'spire', name: 'nowhere', path: '/x' }, caBundle };
  await withConfig([hook('strict.example.com', { clientConfig: unreachable })], async () => {
    await assert.rejects(core.createNamespacedPod(aPod('refused', 'spire')), (err: unknown) => {
      assert.ok(err instanceof ApiException);
      assert.equal(err.code, 500);
      assert.match(String(err.body), /failed calling webhook \\?"strict.example.com\\?"/);
      return true;
    });
  });
  await withConfig([hook('lenient.example.com', { clientConfig: unreachable, failurePolicy: 'Ignore' })], async () => {
    await core.createNamespacedPod(aPod('let-through', 'spire'));
  });
});

test('a webhook given by url is called directly; a wrong caBundle fails TLS verification', async () => {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  seen.length = 0;
  await withConfig([hook('by-url', { clientConfig: { url: `https://127.0.0.1:${webhookPort}/validate`, caBundle } })], async () => {
    await core.createNamespacedPod(aPod('by-url', 'spire'));
  });
  assert.deepEqual(seen.map((s) => s.name), ['by-url']);
  const otherCa = Buffer.from((await createCa({ commonName: 'other' })).certPem).toString('base64');
  await withConfig([hook('wrong-ca', { clientConfig: { url: `https://127.0.0.1:${webhookPort}/validate`, caBundle: otherCa } })], async () => {
    await assert.rejects(core.createNamespacedPod(aPod('wrong-ca', 'spire')), (err: unknown) => err instanceof ApiException && err.code === 500);
  });
  assert.deepEqual(seen.map((s) => s.name), ['by-url']);
});

test('a dry run is refused by a webhook with side effects and sent to one without', async () => {
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  seen.length = 0;
  await withConfig([hook('side-effects', { sideEffects: 'Some' })], async () => {
    await assert.rejects(core.createNamespacedPod({ ...aPod('dry', 'spire'), dryRun: 'All' }), (err: unknown) => {
      assert.ok(err instanceof ApiException);
      assert.equal(err.code, 400);
      assert.match(String(err.body), /does not support dry run/);
      return true;
    });
  });
  await withConfig([hook('no-side-effects')], async () => {
    await core.createNamespacedPod({ ...aPod('dry', 'spire'), dryRun: 'All' });
  });
  assert.deepEqual(seen.map((s) => s.name), ['dry']);
});

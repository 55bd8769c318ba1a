// The SpiffeID validating webhook over HTTPS with the certificate minted through SPIRE: every invalid
// SpiffeID is refused (HTTP 200, allowed false, code 403, message naming the rule), a valid one accepted,
// in AdmissionReview v1 and v1beta1.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dersToPem } from '../../adapters/x509/index.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { aRawSpiffeId, type SpiffeIdInit } from '../fixtures/spiffeid.js';
import { parseAllDocuments } from 'yaml';
import { ids, startCrdWorld } from './crd-harness.js';
import { postJson } from './webhook-client.js';

const PATH = '/validate-spiffeid-spiffe-io-v1beta1-spiffeid';

function review(operation: string, init: SpiffeIdInit = {}, apiVersion = 'admission.k8s.io/v1') {
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${operation}-${init.name ?? 'x'}`,
      kind: { group: 'spiffeid.spiffe.io', version: 'v1beta1', kind: 'SpiffeID' },
      resource: { group: 'spiffeid.spiffe.io', version: 'v1beta1', resource: 'spiffeids' },
      name: init.name ?? 'my-test-spiffeid',
      namespace: init.namespace ?? 'default',
      operation,
      object: aRawSpiffeId(init),
    },
  };
}

test('webhook over HTTPS: refuses each invalid SpiffeID and accepts a valid one', async (t) => {
  const w = await startCrdWorld(t);
  const reg = await w.startRegistrar({ webhookEnabled: true, webhookCertDir: join(w.dir, 'serving-certs') });
  const port = await reg.webhookPort;
  const ca = dersToPem(await w.spire.svidMinter.x509Authorities(), 'CERTIFICATE');
  // Verified like the API server does: against the SPIRE bundle, by the service DNS name.
  const tls = { ca, servername: 'k8s-workload-registrar.spire.svc' };
  const url = `https://127.0.0.1:${port}${PATH}`;
  const send = async (body: ReturnType<typeof review>) => {
    const res = await postJson(url, tls, body);
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text) as { apiVersion: string; response: { uid: string; allowed: boolean; status?: { code: number; message: string } } };
  };

  for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
    const ok = await send(review('CREATE', {}, apiVersion));
    assert.equal(ok.apiVersion, apiVersion);
    assert.deepEqual(ok.response, { uid: 'uid-CREATE-x', allowed: true });
  }

  await w.spire.entryStore.createEntries([
    newEntry({
      spiffeId: 'spiffe://example.org/dup',
      parentId: 'spiffe://example.org/spire/server',
      selectors: [selector('k8s', 'ns:default'), selector('k8s', 'pod-name:dup-pod')],
    }),
  ]);

  const refusals: [string, string, SpiffeIdInit, RegExp][] = [
    ['parentId in another trust domain', 'CREATE', { parentId: 'spiffe://other.org/spire/server' }, /^spec\.parentId must begin with spiffe:\/\/example\.org/],
    ['spiffeId in a look-alike trust domain (string prefix of example.org)', 'CREATE', { spiffeId: 'spiffe://example.org.evil/x' }, /^spec\.spiffeId must begin with spiffe:\/\/example\.org/],
    ['spiffeId not a SPIFFE ID', 'UPDATE', { spiffeId: 'example.org/x' }, /^spec\.spiffeId must begin/],
    ['k8s_psat selectors outside the registrar namespace', 'CREATE', { selector: { cluster: 'k8stest', agent_node_uid: 'u' } }, /^spec\.Selector\.Cluster and spec\.Selector\.AgentNodeUid can only be used by the k8s-workload-registrar$/],
    ['selector namespace of another namespace', 'UPDATE', { selector: { namespace: 'kube-system', podName: 'x' } }, /^spec\.Selector\.Namespace must match namespace of resource$/],
    ['invalid DNS name', 'CREATE', { dnsNames: ['bad..name'] }, /^invalid DNS name "bad\.\.name"/],
    ['duplicate of an existing entry', 'CREATE', { name: 'dup', spiffeId: 'spiffe://example.org/dup', selector: { namespace: 'default', podName: 'dup-pod' } }, /^Duplicate detected/],
  ];
  for (const [what, op, init, message] of refusals) {
    const out = await send(review(op, init));
    assert.equal(out.response.allowed, false, what);
    assert.equal(out.response.status?.code, 403, what);
    assert.match(out.response.status?.message ?? '', message, what);
  }

  // The registrar's own node SpiffeIDs (k8s_psat selectors in its namespace) are valid.
  const node = await send(review('CREATE', { namespace: 'spire', selector: { cluster: 'k8stest', agent_node_uid: 'u' } }));
  assert.equal(node.response.allowed, true);
  assert.ok(reg.logs.some((l) => l.msg === 'Denied SpiffeID'));
});

test('end to end: the API server calls the webhook from deploy/crd/webhook and refuses an invalid SpiffeID', async (t) => {
  let webhookPort = 0;
  const w = await startCrdWorld(t, {
    webhooks: { resolveService: (svc) => (svc.name === 'k8s-workload-registrar' && svc.namespace === 'spire' ? { host: '127.0.0.1', port: webhookPort } : undefined) },
  });
  const reg = await w.startRegistrar({ webhookEnabled: true, webhookCertDir: join(w.dir, 'serving-certs') });
  webhookPort = await reg.webhookPort;
  await reg.ready;
  // What SPIRE server's k8sbundle notifier does for configurations labelled spiffe.io/webhook: "true".
  const docs = parseAllDocuments(await readFile(new URL('../../deploy/crd/webhook/validating-webhook.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const vwc = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration');
  assert.equal(vwc.metadata.labels['spiffe.io/webhook'], 'true');
  const bundle = dersToPem(await w.spire.svidMinter.x509Authorities(), 'CERTIFICATE');
  vwc.webhooks[0].clientConfig.caBundle = Buffer.from(bundle).toString('base64');
  const res = await fetch(`${w.kube.url}/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(vwc),
  });
  assert.equal(res.status, 201, await res.text());

  const bad = aRawSpiffeId({ name: 'bad', selector: { namespace: 'kube-system', podName: 'x' } });
  await assert.rejects(w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: bad }), (err: unknown) => {
    assert.match(String((err as { body?: unknown }).body), /admission webhook \\"k8s-workload-registrar.spire.svc\\" denied the request: spec.Selector.Namespace must match namespace of resource/);
    return true;
  });
  assert.equal(w.spiffeIds('default').length, 0);

  // A valid one is admitted, gets its entry (the finalizer and status writes pass the webhook too), and
  // its deletion, which releases the finalizer through an UPDATE, completes.
  await w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId() });
  await w.waitFor('entry for the admitted SpiffeID', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
  await w.waitFor('finalizer added', () => (w.spiffeIds('default')[0]?.metadata.finalizers ?? []).length === 1);
  await w.custom.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'my-test-spiffeid' });
  await w.waitFor('SpiffeID and entry gone', () => w.spiffeIds('default').length === 0 && !w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
});

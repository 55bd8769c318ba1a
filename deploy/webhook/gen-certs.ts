// Certificate material for webhook mode (run through ./gen-certs):
//   - a CA ("k8s-workload-registrar CA") that signs both certificates below;
//   - the registrar's serving certificate for k8s-workload-registrar.spire.svc (Secret: key, ConfigMap:
//     certificate + the CA, which the registrar uses to verify the API server's client certificate);
//   - the API server's client certificate, in the kubeconfig that admctrl/admission-control.yaml names;
//   - the ValidatingWebhookConfiguration's caBundle, as a kustomize patch.
// Everything goes to generated/ (or --out DIR). The CA key is not kept: re-run to rotate everything.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(here, 'generated') },
    days: { type: 'string', default: '365' },
  },
});
const out = values.out as string;
const ttlSeconds = Number(values.days) * 24 * 3600;
if (!(ttlSeconds > 0)) throw new Error(`--days must be a positive number (got ${values.days})`);

const service = { name: 'k8s-workload-registrar', namespace: 'spire' };
const serviceHost = `${service.name}.${service.namespace}.svc`;

const ca = await createCa({ commonName: 'k8s-workload-registrar CA', ttlSeconds });
const serving = await issueKeyAndCert(ca, {
  commonName: serviceHost,
  dnsNames: [serviceHost, `${serviceHost}.cluster.local`, `${service.name}.${service.namespace}`],
  usage: 'server',
  ttlSeconds,
});
const apiServerClient = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', usage: 'client', ttlSeconds });
const b64 = (s: string) => Buffer.from(s).toString('base64');

const files: Record<string, unknown> = {
  'k8s-workload-registrar-secret.yaml': {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'k8s-workload-registrar-secret', namespace: service.namespace },
    type: 'Opaque',
    data: { 'server-key.pem': b64(serving.keyPem) },
  },
  'k8s-workload-registrar-certs.yaml': {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'k8s-workload-registrar-certs', namespace: service.namespace },
    data: { 'server-cert.pem': serving.certPem, 'cacert.pem': ca.certPem },
  },
  'webhook-ca-bundle.yaml': [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64(ca.certPem) }],
  // The API server picks the user whose name is the webhook's service host (optionally with :port).
  'admctrl/kubeconfig.yaml': {
    apiVersion: 'v1',
    kind: 'Config',
    users: [
      {
        name: serviceHost,
        user: { 'client-certificate-data': b64(apiServerClient.certPem), 'client-key-data': b64(apiServerClient.keyPem) },
      },
    ],
  },
};

for (const [name, doc] of Object.entries(files)) {
  const path = join(out, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(doc, { lineWidth: 0 }), { mode: 0o600 });
  console.log(`wrote ${path}`);
}

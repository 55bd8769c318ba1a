// Certificate material for webhook mode, as deploy/webhook/gen-certs writes it and the sandbox uses it:
//   - a CA ("k8s-workload-registrar CA") that signs both certificates below;
//   - the registrar's serving certificate for k8s-workload-registrar.spire.svc (Secret: key, ConfigMap:
//     certificate + the CA, which the registrar uses to verify the API server's client certificate);
//   - the API server's client certificate, in the kubeconfig that admctrl/admission-control.yaml names;
//   - the ValidatingWebhookConfiguration's caBundle, as a kustomize patch.
// A function rather than a script, so that the sandbox makes them in-process from the compiled build
// (no TypeScript loader at run time). The CA key is not kept: run again to rotate everything.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';

const service = { name: 'k8s-workload-registrar', namespace: 'spire' };
const serviceHost = `${service.name}.${service.namespace}.svc`;

/** Writes the files into `out` (created if missing); returns their paths. */
export async function writeWebhookCertFiles(out: string, ttlSeconds: number): Promise<string[]> {
  if (!(ttlSeconds > 0)) throw new Error(`the certificates' lifetime must be positive (got ${ttlSeconds} s)`);
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

  const written: string[] = [];
  for (const [name, doc] of Object.entries(files)) {
    const path = join(out, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, stringify(doc, { lineWidth: 0 }), { mode: 0o600 });
    written.push(path);
  }
  return written;
}

// Webhook mode's certificates for the sandbox, made as the project's own deploy/webhook/gen-certs makes them,
// into <dir>/generated, then laid out as the SPIRE server pod mounts them (the certs ConfigMap and the key
// Secret), plus the client certificate the API server presents (the AdmissionConfiguration's kubeconfig).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeWebhookCertFiles } from '../webhook/webhook-cert-files.js';

export type WebhookCerts = {
  readonly generatedDir: string;
  readonly certsDir: string;
  readonly secretDir: string;
  /** What the fake API server presents to the registrar's webhook. */
  readonly apiServerClient: { certPem: string; keyPem: string };
};

type Doc = { data?: Record<string, string>; users?: { name: string; user: Record<string, string> }[] };

export async function makeWebhookCerts(dir: string): Promise<WebhookCerts> {
  const generatedDir = join(dir, 'generated');
  await writeWebhookCertFiles(generatedDir, 365 * 24 * 3600);
  const read = async (name: string) => parseYaml(await readFile(join(generatedDir, name), 'utf8')) as Doc;
  const certs = (await read('k8s-workload-registrar-certs.yaml')).data ?? {};
  const secret = (await read('k8s-workload-registrar-secret.yaml')).data ?? {};
  const certsDir = join(dir, 'certs');
  const secretDir = join(dir, 'secret');
  await mkdir(certsDir, { recursive: true });
  await mkdir(secretDir, { recursive: true, mode: 0o700 });
  await writeFile(join(certsDir, 'server-cert.pem'), certs['server-cert.pem'] ?? '');
  await writeFile(join(certsDir, 'cacert.pem'), certs['cacert.pem'] ?? '');
  await writeFile(join(secretDir, 'server-key.pem'), Buffer.from(secret['server-key.pem'] ?? '', 'base64'), { mode: 0o600 });
  const user = (await read('admctrl/kubeconfig.yaml')).users?.find((u) => u.name === 'k8s-workload-registrar.spire.svc')?.user ?? {};
  const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();
  return {
    generatedDir,
    certsDir,
    secretDir,
    apiServerClient: { certPem: b64(user['client-certificate-data']), keyPem: b64(user['client-key-data']) },
  };
}

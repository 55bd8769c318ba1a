// A kubeconfig for the fake API server, for client-node and for the real kubectl. client-node 1.x refuses
// an http:// server unless the cluster says insecure-skip-tls-verify: true.
import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '../client-node.js';
import { stringify } from 'yaml';

export type KubeconfigOptions = { server: string; caPem?: string; namespace?: string; token?: string };

/** The bearer token of the default kubeconfig; the fake API server maps it to kubernetes-admin. */
export const ADMIN_TOKEN = 'fake-token';

export function kubeconfigDocument(o: KubeconfigOptions): object {
  const cluster = o.caPem
    ? { server: o.server, 'certificate-authority-data': Buffer.from(o.caPem).toString('base64') }
    : { server: o.server, 'insecure-skip-tls-verify': true };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster }],
    users: [{ name: 'fake-admin', user: { token: o.token ?? ADMIN_TOKEN } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake-admin', namespace: o.namespace ?? 'default' } }],
    'current-context': 'fake',
    preferences: {},
  };
}

export function makeKubeConfig(o: KubeconfigOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(kubeconfigDocument(o)));
  return kc;
}

export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<void> {
  await writeFile(path, stringify(kubeconfigDocument(o)), { mode: 0o600 });
}

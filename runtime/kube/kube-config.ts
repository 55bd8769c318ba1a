// Where the registrar finds the Kubernetes API and its own namespace. The order follows
// controller-runtime's config.GetConfig, which the original registrar used: an explicit kubeconfig,
// then $KUBECONFIG, then the in-cluster service account (KUBERNETES_SERVICE_HOST), then ~/.kube/config.
// Unlike client-node's loadFromDefault we never fall back to http://localhost:8080: no configuration is
// an error that says what to set.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '../../adapters/client-node.js';
import type { Logger } from 'pino';

export const serviceAccountNamespacePath = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export type KubeConfigSource = 'override' | 'file' | 'KUBECONFIG' | 'in-cluster' | 'home';

export type LoadKubeConfigOptions = {
  /** A ready KubeConfig (tests pass the fake API server's). */
  readonly kubeConfig?: KubeConfig;
  /** An explicit kubeconfig file (a --kubeconfig flag). */
  readonly kubeconfigPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
};

export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const env = opts.env ?? process.env;
  const done = (kubeConfig: KubeConfig, source: KubeConfigSource) => {
    opts.log?.info({ source, server: kubeConfig.getCurrentCluster()?.server }, 'Loaded Kubernetes client configuration');
    return { kubeConfig, source };
  };
  if (opts.kubeConfig) return done(opts.kubeConfig, 'override');
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfigPath) {
      kc.loadFromFile(opts.kubeconfigPath);
      return done(kc, 'file');
    }
    const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
    if (files.length > 0) {
      kc.loadFromFile(files[0] as string);
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true); // like kubectl: the first file that sets current-context wins
      }
      return done(kc, 'KUBECONFIG');
    }
    if (env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
      return done(kc, 'in-cluster');
    }
    const home = env.HOME ?? env.USERPROFILE;
    const homeConfig = home ? join(home, '.kube', 'config') : undefined;
    if (homeConfig && existsSync(homeConfig)) {
      kc.loadFromFile(homeConfig);
      return done(kc, 'home');
    }
  } catch (cause) {
    throw new Error('load Kubernetes client configuration', { cause });
  }
  throw new Error(
    'no Kubernetes client configuration: run in a pod with a service account, set KUBECONFIG, or create ~/.kube/config',
  );
}

export type OwnNamespaceOptions = {
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to the service account's namespace file. */
  readonly namespaceFile?: string;
  readonly log?: Logger;
};

/** The registrar's namespace (for its Lease): MY_POD_NAMESPACE, else the service account's, else "default". */
export function ownNamespace(opts: OwnNamespaceOptions = {}): string {
  const env = opts.env ?? process.env;
  const fromEnv = env.MY_POD_NAMESPACE?.trim();
  if (fromEnv) {
    opts.log?.info({ namespace: fromEnv, source: 'MY_POD_NAMESPACE' }, 'Using own namespace');
    return fromEnv;
  }
  const file = opts.namespaceFile ?? serviceAccountNamespacePath;
  let fromFile = '';
  try {
    fromFile = readFileSync(file, 'utf8').trim();
  } catch {
    fromFile = '';
  }
  if (fromFile) {
    opts.log?.info({ namespace: fromFile, source: file }, 'Using own namespace');
    return fromFile;
  }
  opts.log?.info({ namespace: 'default', source: 'default' }, 'Using own namespace');
  return 'default';
}

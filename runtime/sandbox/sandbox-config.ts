// The tutorial's registrar configuration for a mode (the k8s-workload-registrar ConfigMap in
// deploy/<mode>), moved into the sandbox: the container paths point into the sandbox directory, the log
// goes to a file (what `kubectl logs` shows in a cluster), and listeners that only serve probes in a pod
// are turned off, so that nothing but loopback ports is opened.
import type { Mode } from '../config/registrar-config.js';

/** Where the deploy manifests mount things in the SPIRE server pod. */
const CONTAINER_SOCKET = '/tmp/spire-server/private/api.sock';
const CONTAINER_CERTS = '/run/spire/k8s-workload-registrar/certs/';
const CONTAINER_SECRET = '/run/spire/k8s-workload-registrar/secret/';

export type SandboxPaths = {
  readonly spireSocket: string;
  readonly certsDir: string;
  readonly secretDir: string;
  readonly logPath: string;
  /** Webhook mode: the registrar's HTTPS listener. */
  readonly webhookAddr: string;
};

/** Keys the sandbox sets, by mode; any line of the ConfigMap that sets one of them is replaced. */
function sandboxKeys(mode: Mode, p: SandboxPaths): Record<string, string> {
  const common = { log_path: p.logPath };
  switch (mode) {
    case 'webhook':
      return { ...common, addr: p.webhookAddr, health_addr: '0' };
    case 'reconcile':
      return { ...common, metrics_addr: '0' };
    case 'crd':
      return { ...common, metrics_bind_addr: '0' };
  }
}

export function sandboxConfigText(mode: Mode, tutorialText: string, p: SandboxPaths): string {
  const keys = sandboxKeys(mode, p);
  const kept = tutorialText
    .replaceAll(CONTAINER_SOCKET, p.spireSocket)
    .replaceAll(CONTAINER_CERTS, ensureSlash(p.certsDir))
    .replaceAll(CONTAINER_SECRET, ensureSlash(p.secretDir))
    .split('\n')
    .filter((line) => !Object.keys(keys).some((k) => new RegExp(`^\\s*${k}\\s*=`).test(line)))
    .join('\n')
    .trimEnd();
  const extra = Object.entries(keys).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return `${kept}\n\n# Set by the sandbox (not in deploy/${mode}): a log file instead of the container's stderr,\n# and only loopback listeners.\n${extra.join('\n')}\n`;
}

function ensureSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

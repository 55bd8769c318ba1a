// Crd mode's SpiffeID validating webhook (`webhook_enabled = true`): the serving certificate minted from
// SPIRE and rotated, the registrar's own user name (only it may write status), and the HTTPS listener.
// run-crd.ts loads this module only when the webhook is on: the certificate code (@peculiar/x509 and its
// providers) costs ~3.6 MB of heap and ~18 MiB of RSS that a registrar without the webhook never uses.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { SvidMinter } from '../../adapters/svid-minter.js';
import type { SpiffeIdRules } from '../../handlers/spiffeid/validate-spiffeid.js';
import type { Clock } from '../clock.js';
import type { CrdConfig } from '../config/registrar-config.js';
import { startHttpsServer } from '../https/https-server.js';
import { selfUsername } from '../kube/self-username.js';
import { prepareServingCert } from './serving-cert.js';
import { createSpiffeIdWebhookApp } from './spiffeid-webhook.js';

export type SpiffeIdWebhookOptions = {
  readonly cfg: CrdConfig;
  readonly spire: { readonly entries: EntryStore; readonly svid: SvidMinter };
  readonly kubeConfig: KubeConfig;
  readonly rules: SpiffeIdRules;
  readonly namespace: string;
  readonly log: Logger;
  readonly clock: Clock;
  /** Run in reverse order at shutdown (run-crd.ts's closers). */
  readonly closers: (() => Promise<void>)[];
  readonly addr: string;
  readonly username?: string;
  readonly certReloadIntervalMs?: number;
};

/** @returns the port it listens on */
export async function startSpiffeIdWebhook(o: SpiffeIdWebhookOptions): Promise<number> {
  const { cfg, log } = o;
  const cert = await prepareServingCert({
    dir: cfg.webhookCertDir,
    minter: o.spire.svid,
    trustDomain: cfg.trustDomain,
    cluster: cfg.cluster,
    serviceName: cfg.webhookServiceName,
    namespace: o.namespace,
    log,
    clock: o.clock,
  });
  o.closers.push(async () => cert.stop());
  const registrarUsername = o.username ?? (await selfUsername(o.kubeConfig));
  log.info({ username: registrarUsername }, 'Only this user may write SpiffeID status');
  const https = await startHttpsServer({
    app: createSpiffeIdWebhookApp({ store: o.spire.entries, rules: o.rules, registrarUsername, log }),
    addr: o.addr,
    certPath: cert.certPath,
    keyPath: cert.keyPath,
    requireClientCert: false,
    logger: log,
    ...(o.certReloadIntervalMs !== undefined ? { reloadIntervalMs: o.certReloadIntervalMs } : {}),
  });
  o.closers.push(() => https.close());
  cert.startRotation(() => https.reload());
  log.info({ port: https.port }, 'Serving SpiffeID validating webhook');
  return https.port;
}

// The API server's side of the webhook-mode benches (webhook, slow-loris): the registrar process serving
// webhook mode with client-certificate verification (its TLS files: test/fixtures/webhook-tls.ts), a
// keep-alive mTLS agent to it, and one admission POST.
import https from 'node:https';
import { webhookTls, type WebhookTls } from '../../test/fixtures/webhook-tls.js';
import type { BenchWorld } from './cluster.js';
import { startRegistrar, webhookHcl, type RegistrarProcess } from './registrar-process.js';

export type WebhookUnderTest = {
  readonly reg: RegistrarProcess;
  readonly agent: https.Agent;
  readonly port: number;
  /** `https://127.0.0.1:<port>/validate` */
  readonly url: string;
  readonly tls: WebhookTls;
  stop(): Promise<void>;
};

/** Starts the registrar and waits until it serves and is ready; `maxSockets`: the agent's connections. */
export async function startWebhookUnderTest(world: BenchWorld, o: { maxSockets: number; timeoutS: number; nodeArgs?: readonly string[] }): Promise<WebhookUnderTest> {
  const tls = await webhookTls(world.dir);
  const reg = await startRegistrar({
    dir: world.dir,
    hcl: webhookHcl(world.spire.socketPath, tls),
    watchMessages: ['Serving admission webhook', 'Webhook ready'],
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.maxSockets, ...tls.client });
  try {
    const listening = await reg.waitForLog('Serving admission webhook', undefined, o.timeoutS * 1000);
    await reg.waitForLog('Webhook ready', undefined, o.timeoutS * 1000);
    const port = Number(listening.line.port);
    return {
      reg,
      agent,
      port,
      url: `https://127.0.0.1:${port}/validate`,
      tls,
      async stop() {
        agent.destroy();
        await reg.stop();
      },
    };
  } catch (err) {
    agent.destroy();
    await reg.stop();
    throw err;
  }
}

/** One AdmissionReview; resolves true when it was answered 200 and allowed (never rejects). */
export function postAdmission(agent: https.Agent, url: string, body: string, extraHeaders: Record<string, string | number> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders };
    const req = https.request(url, { method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(text) as { response?: { allowed?: boolean } }).response?.allowed === true);
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

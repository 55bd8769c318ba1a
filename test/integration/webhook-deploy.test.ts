// deploy/webhook as kubectl would apply it: gen-certs writes the certificate material into a copy of the
// directory, `kubectl kustomize` renders it, and the rendered objects are checked for what the mode needs.
// The generated certificates are then served by the registrar's HTTPS listener to a client holding the
// API server's kubeconfig credentials, verifying the name k8s-workload-registrar.spire.svc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import pino from 'pino';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { WebhookConfig } from '../../runtime/config/registrar-config.js';
import { parseConfig } from '../../runtime/config/parse-config.js';
import { startHttpsServer } from '../../runtime/https/https-server.js';
import { httpsRequest } from './webhook-client.js';

const run = promisify(execFile);
const deployDir = fileURLToPath(new URL('../../deploy/webhook/', import.meta.url));
type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

const kubectl = await run('kubectl', ['version', '--client']).then(() => true, () => false);

test('deploy/webhook renders with generated certificates, and they serve the webhook', { skip: !kubectl && 'kubectl is not installed' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-deploy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(deployDir, dir, { recursive: true, filter: (src) => !src.includes('/generated') });
  await run(join(deployDir, 'gen-certs'), ['--out', join(dir, 'generated')]);
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  const objects = parseAllDocuments(stdout).map((d) => d.toJS() as Obj);
  const find = (kind: string, name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind}/${name} rendered`);
    return o as Obj & Record<string, any>;
  };

  find('Namespace', 'spire');
  const webhook = find('ValidatingWebhookConfiguration', 'k8s-workload-registrar-webhook');
  const hook = webhook.webhooks[0];
  assert.deepEqual(hook.admissionReviewVersions, ['v1', 'v1beta1']);
  assert.equal(hook.sideEffects, 'NoneOnDryRun');
  assert.deepEqual(hook.clientConfig.service, { name: 'k8s-workload-registrar', namespace: 'spire', path: '/validate', port: 443 });
  assert.deepEqual(hook.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['pods'], scope: 'Namespaced' }]);

  const caPem = find('ConfigMap', 'k8s-workload-registrar-certs').data['cacert.pem'] as string;
  const certPem = find('ConfigMap', 'k8s-workload-registrar-certs').data['server-cert.pem'] as string;
  const keyPem = Buffer.from(find('Secret', 'k8s-workload-registrar-secret').data['server-key.pem'], 'base64').toString();
  assert.equal(Buffer.from(hook.clientConfig.caBundle, 'base64').toString(), caPem, 'caBundle is the CA that signed the serving certificate');

  // The registrar's configuration parses to the tutorial's settings.
  const confText = find('ConfigMap', 'k8s-workload-registrar').data['k8s-workload-registrar.conf'] as string;
  const { config } = await parseConfig(confText, 'k8s-workload-registrar.conf');
  const cfg = config as WebhookConfig;
  assert.deepEqual(
    [cfg.mode, cfg.trustDomain, cfg.cluster, cfg.serverAddress, cfg.insecureSkipClientVerification, cfg.certPath, cfg.keyPath, cfg.cacertPath],
    ['webhook', 'example.org', 'k8stest', 'unix:///tmp/spire-server/private/api.sock', false,
      '/run/spire/k8s-workload-registrar/certs/server-cert.pem', '/run/spire/k8s-workload-registrar/secret/server-key.pem', '/run/spire/k8s-workload-registrar/certs/cacert.pem'],
  );

  // Registrar and SPIRE server share the pod's network namespace: no port may be used twice.
  const sts = find('StatefulSet', 'spire-server');
  const containers = sts.spec.template.spec.containers as { name: string; ports?: { containerPort: number }[]; volumeMounts: { mountPath: string }[] }[];
  const serverConf = find('ConfigMap', 'spire-server').data['server.conf'] as string;
  const spirePorts = [...serverConf.matchAll(/bind_port = "(\d+)"/g)].map((m) => Number(m[1]));
  const registrarPorts = [cfg.addr, cfg.healthAddr].map((a) => Number(a.split(':').pop()));
  assert.deepEqual(spirePorts.filter((p) => registrarPorts.includes(p)), []);
  const registrar = containers.find((c) => c.name === 'k8s-workload-registrar');
  assert.deepEqual(registrar?.ports?.map((p) => p.containerPort), registrarPorts);
  for (const c of containers) assert.ok(c.volumeMounts.some((m) => m.mountPath === '/tmp/spire-server/private'), `${c.name} mounts the socket dir`);

  // The API server's kubeconfig user is named after the webhook's service host, as the API server looks it up.
  const kubeconfig = parseYaml(await readFile(join(dir, 'generated/admctrl/kubeconfig.yaml'), 'utf8'));
  const user = kubeconfig.users.find((u: { name: string }) => u.name === 'k8s-workload-registrar.spire.svc')?.user;
  assert.ok(user, 'kubeconfig has a user for k8s-workload-registrar.spire.svc');

  // Mount the rendered material where the server reads it, as the kubelet would.
  await writeFile(join(dir, 'cert.pem'), certPem);
  await writeFile(join(dir, 'key.pem'), keyPem);
  await writeFile(join(dir, 'ca.pem'), caPem);
  const server = await startHttpsServer({
    app: new Hono().post('/validate', (c) => c.text('ok')),
    addr: '127.0.0.1:0',
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    caPath: join(dir, 'ca.pem'),
    requireClientCert: true,
    logger: pino({ level: 'silent' }),
  });
  t.after(() => server.close());
  const res = await httpsRequest(`https://127.0.0.1:${server.port}/validate`, {
    ca: Buffer.from(hook.clientConfig.caBundle, 'base64').toString(),
    cert: Buffer.from(user['client-certificate-data'], 'base64').toString(),
    key: Buffer.from(user['client-key-data'], 'base64').toString(),
    servername: 'k8s-workload-registrar.spire.svc',
  }, { method: 'POST' });
  assert.deepEqual([res.status, res.text], [200, 'ok']);
});

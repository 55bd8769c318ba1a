import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config/parse-config.js';
import { sandboxConfigText } from './sandbox-config.js';

const paths = { spireSocket: '/s/api.sock', certsDir: '/s/certs', secretDir: '/s/secret', logPath: '/s/registrar.log', webhookAddr: '127.0.0.1:9443' };

test('webhook: container paths move into the sandbox, health_addr is replaced, addr and log_path are set', async () => {
  const tutorial = [
    'cert_path = "/run/spire/k8s-workload-registrar/certs/server-cert.pem"',
    'key_path = "/run/spire/k8s-workload-registrar/secret/server-key.pem"',
    'cacert_path = "/run/spire/k8s-workload-registrar/certs/cacert.pem"',
    'trust_domain = "example.org"',
    'cluster = "k8stest"',
    'server_socket_path = "/tmp/spire-server/private/api.sock"',
    'health_addr = ":8444"',
    '',
  ].join('\n');
  const text = sandboxConfigText('webhook', tutorial, paths);
  const { config } = await parseConfig(text, 'registrar.conf');
  assert.equal(config.mode, 'webhook');
  if (config.mode !== 'webhook') return;
  assert.equal(config.certPath, '/s/certs/server-cert.pem');
  assert.equal(config.keyPath, '/s/secret/server-key.pem');
  assert.equal(config.serverAddress, 'unix:///s/api.sock');
  assert.equal(config.healthAddr, '0');
  assert.equal(config.addr, '127.0.0.1:9443');
  assert.equal(config.logPath, '/s/registrar.log');
});

test('reconcile keeps the tutorial keys and turns the metrics listener off', async () => {
  const tutorial = 'mode = "reconcile"\ntrust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/spire-server/private/api.sock"\nmetrics_addr = "0"\npod_label = "spire-workload"\n';
  const { config } = await parseConfig(sandboxConfigText('reconcile', tutorial, paths), 'registrar.conf');
  assert.equal(config.mode, 'reconcile');
  assert.equal(config.podLabel, 'spire-workload');
  if (config.mode === 'reconcile') assert.equal(config.metricsAddr, '0');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config/parse-config.js';
import type { CrdConfig } from '../config/registrar-config.js';
import { crdRules } from './crd-rules.js';

test('the crd rules carry each configured key to its place (the mode and `plan` both build them here)', async () => {
  const { config } = await parseConfig(
    [
      'mode = "crd"',
      'trust_domain = "example.org"',
      'cluster = "c1"',
      'server_socket_path = "/run/spire/sockets/api.sock"',
      'spiffeid_policy = "open"',
      'cluster_dns_zone = "zone.example"',
      'spiffeid_allowed_dns_suffixes = ["apps.example.com"]',
      '',
    ].join('\n'),
    'crd.conf',
  );
  assert.deepEqual(crdRules(config as CrdConfig, 'spire-ns'), {
    trustDomain: 'example.org',
    registrarNamespace: 'spire-ns',
    policy: { mode: 'open', cluster: 'c1', clusterDnsZone: 'zone.example', allowedDnsSuffixes: ['apps.example.com'] },
    entryIdPrefix: 'k8s-workload-registrar.c1.',
  });
});

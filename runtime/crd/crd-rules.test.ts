import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config/parse-config.js';
import type { CrdConfig } from '../config/registrar-config.js';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import { validateSpiffeId } from '../../handlers/spiffeid/validate-spiffeid.js';
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
    policy: {
      mode: 'open',
      cluster: 'c1',
      clusterDnsZone: 'zone.example',
      allowedDnsSuffixes: ['apps.example.com'],
      identityTemplate: { source: 'ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}', parts: [{ text: 'ns/' }, { pod: 'Namespace' }, { text: '/sa/' }, { pod: 'ServiceAccount' }] },
    },
    entryIdPrefix: 'k8s-workload-registrar.c1.',
  });
});

/** A crd config whose identity_template puts the namespace somewhere other than `ns/<namespace>/`. */
async function rulesWith(identityTemplate: string, extra: readonly string[] = []) {
  const { config } = await parseConfig(
    ['mode = "crd"', 'trust_domain = "example.org"', 'cluster = "c1"', 'server_socket_path = "/run/spire/sockets/api.sock"', `identity_template = ${JSON.stringify(identityTemplate)}`, ...extra, ''].join('\n'),
    'crd.conf',
  );
  return crdRules(config as CrdConfig, 'spire');
}

test('differs from the original: with identity_template "{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}", a user\'s SpiffeID may not claim another namespace\'s pod identity', async () => {
  const rules = await rulesWith('{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}');
  const claim = (spiffeId: string) => validateSpiffeId(aSpiffeId({ namespace: 'default', spiffeId }), rules)?.rule;
  assert.equal(claim('spiffe://example.org/payments/api'), 'policy.namespacePath', 'what pods of namespace payments get');
  assert.equal(claim('spiffe://example.org/default/api'), undefined, 'its own namespace\'s');
  assert.equal(claim('spiffe://example.org/payments/api/v2'), undefined, 'not a form the template makes');
});

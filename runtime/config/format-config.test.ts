import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatConfigHcl, hclString } from './format-config.js';
import { parseConfig } from './parse-config.js';

const minimal = 'trust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/spire-server/private/api.sock"\n';

test('prints every effective key in table order, defaults included', async () => {
  const { config } = await parseConfig(`${minimal}mode = "reconcile"\npod_label = "spire-workload"\n`, 'k.conf');
  assert.equal(
    formatConfigHcl(config),
    [
      'mode = "reconcile"',
      'log_level = "info"',
      'log_format = "text"',
      'trust_domain = "example.org"',
      'server_address = "unix:///tmp/spire-server/private/api.sock"',
      'cluster = "k8stest"',
      'pod_label = "spire-workload"',
      'disabled_namespaces = ["kube-system", "kube-public"]',
      'controller_name = "spire-k8s-registrar"',
      'add_pod_dns_names = false',
      'cluster_dns_zone = "cluster.local"',
      'metrics_addr = ":8080"',
      'leader_election = false',
      'leader_election_resource_lock = "leases"',
      'leader_election_lease_duration = "15s"',
      'leader_election_renew_deadline = "10s"',
      'leader_election_retry_period = "2s"',
      'resync_interval = "10s"',
      'relist_interval = "1h0m0s"',
      '',
    ].join('\n'),
  );
});

const roundTrips: [string, string][] = [
  ['webhook', `${minimal}log_level = "debug"\nlog_path = "/l.log"\ninsecure_skip_client_verification = true\nhealth_addr = "0"\n`],
  ['reconcile', `${minimal}mode = "reconcile"\npod_annotation = "spiffe.io/spiffe-id"\nresync_interval = "1m30s"\nleader_election = true\n`],
  [
    'crd',
    `${minimal}mode = "crd"\nidentity_template = "region/{{.Context.Region}}/{{ .Pod.Name }}"\nidentity_template_label = "l"\n` +
      `context = {\n  Region = "US-NORTH"\n  "odd.key" = "say \\"hi\\""\n}\ndns_name_templates = []\nwebhook_port = 9444\nserver_address = "unix:///a b\\\\c.sock"\n`,
  ],
  ['agent', 'trust_domain = "example.org"\ncluster = "c"\nserver_address = "spire:8081"\nagent_socket_path = "/run/agent.sock"\n'],
];
for (const [name, text] of roundTrips) {
  test(`the printed configuration parses back to the same configuration (${name})`, async () => {
    const { config } = await parseConfig(text, 'k.conf');
    const again = await parseConfig(formatConfigHcl(config), 'effective.conf');
    assert.deepEqual(again, { config, warnings: [] });
  });
}

test('hclString escapes quotes, backslashes and control characters', () => {
  assert.equal(hclString('a "b" \\ c\n\t\u0001'), '"a \\"b\\" \\\\ c\\n\\t\\u0001"');
});

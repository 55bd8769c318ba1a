// Parity with the original registrar's config_crd_test.go (TestLoadModeCRD; the file is the same in the
// webhook-era tree a9bae499 and the final tree 54031492). Every case loads a file through the real
// loader. Differences are listed in docs/parity.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFile } from './config-load.js';

const minimalCrd = `
		trust_domain = "domain.test"
		cluster = "CLUSTER"
		server_socket_path = "SOCKETPATH"
		mode = "crd"
	`;
const withTemplate = `${minimalCrd}\n\tidentity_template = "IDENTITYTEMPLATE"\n`;
const upstreamIdentity = 'region/{{.Context.region}}/cluster_name/{{.Context.cluster_name}}/ns/{{.Pod.namespace}}/sa/{{.Pod.service_account}}';

const crdDefaults = {
  logLevel: 'info',
  serverAddress: 'unix://SOCKETPATH',
  trustDomain: 'domain.test',
  cluster: 'CLUSTER',
  mode: 'crd',
  disabledNamespaces: ['kube-system', 'kube-public'],
  addSvcDnsName: true,
  leaderElection: false,
  // The final tree's default (the webhook-era tree defaulted to "configmaps", which Kubernetes 1.24 dropped).
  leaderElectionResourceLock: 'leases',
  metricsBindAddr: ':8080',
  podController: true,
  webhookEnabled: false,
  webhookCertDir: '/run/spire/serving-certs',
  webhookPort: 9443,
  webhookServiceName: 'k8s-workload-registrar',
  dnsNameTemplates: ['{{.Pod.Name}}'],
  context: {},
};

function pick(config: object, like: object): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, (config as Record<string, unknown>)[k]]));
}
const name = (c: string) => `config_crd_test.go ${c}`;

test(name('a missing file: "unable to load configuration:"'), async (t) => {
  const r = await (await configFile(t)).load();
  assert.ok(!r.ok);
  assert.match(r.problems[0] ?? '', /^unable to load configuration: /);
});

for (const row of ['minimal file with identity_template', 'defaults']) {
  test(name(row), async (t) => {
    const r = await (await configFile(t)).load(withTemplate);
    assert.ok(r.ok, JSON.stringify(r));
    const want = { ...crdDefaults, identityTemplate: 'IDENTITYTEMPLATE' };
    assert.deepEqual(pick(r.config, want), want);
  });
}

test(name('overrides'), async (t) => {
  const f = await configFile(t);
  const text = (level: string, metricsAddr = 'addr') => `
				log_level = "${level}"
				log_path = "PATHOVERRIDE"
				addr = ":1234"
				cert_path = "CERTOVERRIDE"
				key_path = "KEYOVERRIDE"
				cacert_path = "CACERTOVERRIDE"
				insecure_skip_client_verification = true
				server_socket_path = "SOCKETPATHOVERRIDE"
				trust_domain = "override-domain.test"
				cluster = "CLUSTEROVERRIDE"
				add_svc_dns_name = false
				leader_election = true
				leader_election_resource_lock = "leases"
				metrics_bind_addr = "${metricsAddr}"
				pod_controller = true
				webhook_enabled = false
				mode = "crd"
				identity_template = "IDENTITYTEMPLATE"
				dns_name_templates = ["DNSNAMETEMPLATE"]
			`;
  // Decided difference: log_level is checked while loading (the original failed later, at logger set-up).
  // So may be the listen address: "addr" could never be bound, and start-up checks moved to load time
  // name it too; any further problem must be about that key.
  const refused = await f.load(text('LEVELOVERRIDE'));
  assert.ok(!refused.ok);
  assert.equal(refused.problems[0], 'log_level: not a valid logrus Level: "LEVELOVERRIDE"');
  for (const p of refused.problems.slice(1)) assert.match(p, /^metrics_bind_addr: /);

  // The row's other values, with an address that can be bound in place of "addr".
  const r = await f.load(text('debug', ':8081'));
  assert.ok(r.ok, JSON.stringify(r));
  const want = {
    ...crdDefaults,
    logLevel: 'debug',
    logPath: 'PATHOVERRIDE',
    serverAddress: 'unix://SOCKETPATHOVERRIDE',
    trustDomain: 'override-domain.test',
    cluster: 'CLUSTEROVERRIDE',
    addSvcDnsName: false,
    leaderElection: true,
    metricsBindAddr: ':8081',
    identityTemplate: 'IDENTITYTEMPLATE',
    dnsNameTemplates: ['DNSNAMETEMPLATE'],
  };
  assert.deepEqual(pick(r.config, want), want);
  // The webhook-mode keys in this file did nothing in the original either; we say so.
  assert.deepEqual(
    r.warnings.map((w) => w.replace(/ \(it is a .*$/, '')),
    ['addr', 'cert_path', 'key_path', 'cacert_path', 'insecure_skip_client_verification'].map((k) => `configuration key "${k}" is not used in crd mode`),
  );
});

test(name('identity_template (with identity_template_label and context)'), async (t) => {
  const f = await configFile(t);
  const text = (template: string) =>
    `${minimalCrd}\nidentity_template = "${template}"\nidentity_template_label = "IDENTITYLABEL"\ncontext {\n  region = "EU-DE"\n  cluster_name = "CLUSTER"\n}\n`;
  // Decided difference: {{.Pod.namespace}} (lower case) names no pod field. The original loaded this
  // file and then refused to start ("executing identity template: ... can't evaluate field namespace");
  // we refuse it while loading, so `validate` reports it.
  const refused = await f.load(text(upstreamIdentity));
  assert.ok(!refused.ok);
  assert.equal(refused.problems.length, 1);
  assert.match(refused.problems[0] ?? '', /^executing identity template: .*can't evaluate field namespace/);

  const fixed = 'region/{{.Context.region}}/cluster_name/{{.Context.cluster_name}}/ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}';
  const r = await f.load(text(fixed));
  assert.ok(r.ok, JSON.stringify(r));
  const want = { ...crdDefaults, identityTemplate: fixed, identityTemplateLabel: 'IDENTITYLABEL', context: { region: 'EU-DE', cluster_name: 'CLUSTER' } };
  assert.deepEqual(pick(r.config, want), want);
});

test(name('identity_template_minimal (identity_template set twice)'), async (t) => {
  const f = await configFile(t);
  // Decided difference: HCL 2 refuses an attribute set twice; the original's HCL 1 kept the last value.
  const refused = await f.load(`${minimalCrd}\nidentity_template = "${upstreamIdentity}"\nidentity_template = "IDENTITYTEMPLATE"\ncontext {\n  cluster_name = "CLUSTER"\n}\n`);
  assert.ok(!refused.ok);
  assert.match(refused.problems[0] ?? '', /^unable to decode configuration: Attribute redefined; /);

  const r = await f.load(`${minimalCrd}\nidentity_template = "IDENTITYTEMPLATE"\ncontext {\n  cluster_name = "CLUSTER"\n}\n`);
  assert.ok(r.ok, JSON.stringify(r));
  const want = { ...crdDefaults, identityTemplate: 'IDENTITYTEMPLATE', context: { cluster_name: 'CLUSTER' } };
  assert.deepEqual(pick(r.config, want), want);
});

test(name('identity_template no context'), async (t) => {
  const f = await configFile(t);
  // Same decided difference as above: the lower-case pod fields are refused while loading.
  const refused = await f.load(`${minimalCrd}\nidentity_template = "ns/{{.Pod.namespace}}/sa/{{.Pod.service_account}}"\n`);
  assert.ok(!refused.ok);
  assert.match(refused.problems[0] ?? '', /^executing identity template: .*can't evaluate field namespace/);

  const r = await f.load(`${minimalCrd}\nidentity_template = "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}"\n`);
  assert.ok(r.ok, JSON.stringify(r));
  const want = { ...crdDefaults, identityTemplate: 'ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}' };
  assert.deepEqual(pick(r.config, want), want);
});

test(name('bad HCL: "unable to decode configuration"'), async (t) => {
  const r = await (await configFile(t)).load('INVALID');
  assert.ok(!r.ok);
  assert.match(r.problems[0] ?? '', /^unable to decode configuration: /);
});

const oneOf = 'workload registration configuration is incorrect, can only use one of identity_template, pod_annotation, or pod_label';
const refusals: [string, string, string][] = [
  ['identity_template and pod_label', `${minimalCrd}\npod_label = "PODLABEL"\nidentity_template = "IDENTITYTEMPLATE"\nidentity_template_label = "IDENTITYLABEL"\ncontext {\n  cluster_name = "CLUSTER"\n}\n`, oneOf],
  ['identity_template and pod_annotation', `${minimalCrd}\npod_annotation = "PODANNOTATION"\nidentity_template = "IDENTITYTEMPLATE"\ncontext {\n  region = "EU-DE"\n  cluster_name = "MYCLUSTER"\n}\n`, oneOf],
  ['identity_template missing context (with space)', `${minimalCrd}\nidentity_template = "region/{{ .Context.region}}"\n`, 'identity_template references non-existing context'],
  ['identity_template missing context (without space)', `${minimalCrd}\nidentity_template = "region/{{.Context.region}}"\n`, 'identity_template references non-existing context'],
  ['dns_name_templates missing context (with space)', `${minimalCrd}\ndns_name_templates = ["{{ .Context.namespace}}"]\n`, 'dns_name_template references non-existing context'],
  ['dns_name_templates missing context (without space)', `${minimalCrd}\ndns_name_templates = ["{{.Context.namespace}}"]\n`, 'dns_name_template references non-existing context'],
];
for (const [row, text, message] of refusals) {
  test(name(row), async (t) => {
    const r = await (await configFile(t)).load(text);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [message]);
  });
}

test(name('dns_name_templates'), async (t) => {
  const r = await (await configFile(t)).load(`${minimalCrd}\ndns_name_templates = ["{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc", "{{.Pod.Name}}.svc"]\n`);
  assert.ok(r.ok, JSON.stringify(r));
  const want = { ...crdDefaults, dnsNameTemplates: ['{{.Pod.ServiceAccount}}.{{.Pod.Namespace}}.svc', '{{.Pod.Name}}.svc'] };
  assert.deepEqual(pick(r.config, want), want);
  assert.equal(r.config.mode === 'crd' ? r.config.identityTemplate : 'not crd', undefined);
});

test(name('dns_name_templates empty'), async (t) => {
  const r = await (await configFile(t)).load(`${minimalCrd}\ndns_name_templates = []\n`);
  assert.ok(r.ok, JSON.stringify(r));
  const want = { ...crdDefaults, dnsNameTemplates: [] };
  assert.deepEqual(pick(r.config, want), want);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config-error.js';
import { parseConfig } from './parse-config.js';

const leaderTimingDefaults = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

const minimal = 'trust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/spire-server/private/api.sock"\n';

async function problemsOf(text: string): Promise<readonly string[]> {
  try {
    await parseConfig(text, 'k.conf');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const commonDefaults = {
  logLevel: 'info',
  logFormat: 'text',
  trustDomain: 'example.org',
  serverAddress: 'unix:///tmp/spire-server/private/api.sock',
  cluster: 'k8stest',
  disabledNamespaces: ['kube-system', 'kube-public'],
};

test('webhook mode is the default mode, with every default filled in', async () => {
  const { config, warnings } = await parseConfig(minimal, 'k.conf');
  assert.deepEqual(config, {
    ...commonDefaults,
    mode: 'webhook',
    addr: ':8443',
    certPath: 'cert.pem',
    keyPath: 'key.pem',
    cacertPath: 'cacert.pem',
    insecureSkipClientVerification: false,
    healthAddr: '0',
    webhookResync: false,
    resyncIntervalMs: 10_000,
  });
  assert.deepEqual(warnings, []);
});

test('reconcile mode defaults', async () => {
  const { config } = await parseConfig(`${minimal}mode = "reconcile"\n`, 'k.conf');
  assert.deepEqual(config, {
    ...commonDefaults,
    mode: 'reconcile',
    leaderElection: false,
    leaderElectionResourceLock: 'leases',
    ...leaderTimingDefaults,
    controllerName: 'spire-k8s-registrar',
    addPodDnsNames: false,
    clusterDnsZone: 'cluster.local',
    metricsAddr: ':8080',
    resyncIntervalMs: 10_000,
    relistIntervalMs: 3_600_000,
  });
});

test('crd mode defaults', async () => {
  const { config } = await parseConfig(`${minimal}mode = "crd"\n`, 'k.conf');
  assert.deepEqual(config, {
    ...commonDefaults,
    mode: 'crd',
    leaderElection: false,
    leaderElectionResourceLock: 'leases',
    ...leaderTimingDefaults,
    podController: true,
    addSvcDnsName: true,
    context: {},
    dnsNameTemplates: ['{{.Pod.Name}}'],
    webhookEnabled: false,
    webhookPort: 9443,
    webhookCertDir: '/run/spire/serving-certs',
    webhookServiceName: 'k8s-workload-registrar',
    metricsBindAddr: ':8080',
    resyncIntervalMs: 10_000,
    relistIntervalMs: 3_600_000,
    clusterDnsZone: 'cluster.local',
    spiffeidPolicy: 'namespace',
    spiffeidAllowedDnsSuffixes: [],
  });
});

test('every common and webhook key is read', async () => {
  const text = `
    log_level = "DEBUG"
    log_format = "JSON"
    log_path = "/var/log/registrar.log"
    trust_domain = "example.org"
    server_address = "spire-server.spire:8081"
    agent_socket_path = "/run/spire/sockets/agent.sock"
    cluster = "prod"
    pod_label = "spire-workload"
    disabled_namespaces = ["kube-system"]
    addr = ":9443"
    cert_path = "/c.pem"
    key_path = "/k.pem"
    cacert_path = "/ca.pem"
    insecure_skip_client_verification = true
    health_addr = "0"
    webhook_resync = true
    resync_interval = "30s"
  `;
  const { config, warnings } = await parseConfig(text, 'k.conf');
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, {
    logLevel: 'debug',
    logFormat: 'json',
    logPath: '/var/log/registrar.log',
    trustDomain: 'example.org',
    serverAddress: 'spire-server.spire:8081',
    agentSocketPath: '/run/spire/sockets/agent.sock',
    cluster: 'prod',
    podLabel: 'spire-workload',
    disabledNamespaces: ['kube-system'],
    mode: 'webhook',
    addr: ':9443',
    certPath: '/c.pem',
    keyPath: '/k.pem',
    cacertPath: '/ca.pem',
    insecureSkipClientVerification: true,
    healthAddr: '0',
    webhookResync: true,
    resyncIntervalMs: 30_000,
  });
});

test('every reconcile key is read', async () => {
  const text = `${minimal}
    mode = "reconcile"
    pod_annotation = "spiffe.io/spiffe-id"
    controller_name = "my-registrar"
    add_pod_dns_names = true
    cluster_dns_zone = "corp.local"
    metrics_addr = "0"
    leader_election = true
    leader_election_resource_lock = "leases"
    leader_election_lease_duration = "30s"
    leader_election_renew_deadline = "20s"
    leader_election_retry_period = "4s"
    resync_interval = "1m30s"
    relist_interval = "30m"
  `;
  const { config, warnings } = await parseConfig(text, 'k.conf');
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, {
    ...commonDefaults,
    podAnnotation: 'spiffe.io/spiffe-id',
    mode: 'reconcile',
    leaderElection: true,
    leaderElectionResourceLock: 'leases',
    leaseDurationMs: 30_000,
    renewDeadlineMs: 20_000,
    retryPeriodMs: 4_000,
    controllerName: 'my-registrar',
    addPodDnsNames: true,
    clusterDnsZone: 'corp.local',
    metricsAddr: '0',
    resyncIntervalMs: 90_000,
    relistIntervalMs: 1_800_000,
  });
});

test('every crd key is read, context in block syntax as the original documents it', async () => {
  const text = `${minimal}
    mode = "crd"
    pod_controller = false
    add_svc_dns_name = false
    identity_template = "region/{{.Context.Region}}/ns/{{.Pod.Namespace}}"
    identity_template_label = "spiffe.io/identity"
    context {
      Region = "US-NORTH"
      ClusterName = "MYCLUSTER"
    }
    dns_name_templates = ["{{.Pod.Name}}.{{.Pod.Namespace}}.svc", "{{.Context.Region}}.example"]
    webhook_enabled = true
    webhook_port = 8443
    webhook_cert_dir = "/certs"
    webhook_service_name = "registrar"
    metrics_bind_addr = ":9090"
    cluster_dns_zone = "corp.local"
    spiffeid_policy = "open"
    spiffeid_allowed_dns_suffixes = [".apps.example.com", "example.net"]
    leader_election = true
    resync_interval = "30s"
    relist_interval = "10h"
  `;
  const { config, warnings } = await parseConfig(text, 'k.conf');
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, {
    ...commonDefaults,
    mode: 'crd',
    leaderElection: true,
    leaderElectionResourceLock: 'leases',
    ...leaderTimingDefaults,
    podController: false,
    addSvcDnsName: false,
    identityTemplate: 'region/{{.Context.Region}}/ns/{{.Pod.Namespace}}',
    identityTemplateLabel: 'spiffe.io/identity',
    context: { Region: 'US-NORTH', ClusterName: 'MYCLUSTER' },
    dnsNameTemplates: ['{{.Pod.Name}}.{{.Pod.Namespace}}.svc', '{{.Context.Region}}.example'],
    webhookEnabled: true,
    webhookPort: 8443,
    webhookCertDir: '/certs',
    webhookServiceName: 'registrar',
    metricsBindAddr: ':9090',
    resyncIntervalMs: 30_000,
    relistIntervalMs: 36_000_000,
    clusterDnsZone: 'corp.local',
    spiffeidPolicy: 'open',
    spiffeidAllowedDnsSuffixes: ['.apps.example.com', 'example.net'],
  });
});

test('context also accepts attribute syntax (context = { ... })', async () => {
  const { config } = await parseConfig(`${minimal}mode = "crd"\ncontext = { Region = "US-NORTH", Zone = "a" }\n`, 'k.conf');
  assert.equal(config.mode, 'crd');
  assert.deepEqual(config.mode === 'crd' && config.context, { Region: 'US-NORTH', Zone: 'a' });
});

test('difference from the original: repeated context blocks are refused as ambiguous, not merged', async () => {
  await assert.rejects(parseConfig(`${minimal}mode = "crd"\ncontext {\n A = "1"\n}\ncontext {\n A = "2"\n}\n`, 'k.conf'), {
    message: 'k.conf:5: context: given as 2 blocks, which would be merged ambiguously; write one block',
  });
});

test('log_level is case-insensitive as in logrus; "warning" means warn; panic and fatal are kept', async () => {
  for (const [raw, level] of [['WARNING', 'warn'], ['Warn', 'warn'], ['panic', 'panic'], ['FATAL', 'fatal'], ['error', 'error'], ['trace', 'trace'], ['Info', 'info']]) {
    const { config } = await parseConfig(`${minimal}log_level = "${raw}"\n`, 'k.conf');
    assert.equal(config.logLevel, level, raw);
  }
});

test('empty strings mean "use the default", as in the original', async () => {
  const { config } = await parseConfig(`${minimal}log_level = ""\nlog_format = ""\naddr = ""\nlog_path = ""\npod_label = ""\n`, 'k.conf');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.logFormat, 'text');
  assert.equal(config.mode === 'webhook' && config.addr, ':8443');
  assert.equal(config.logPath, undefined);
  assert.equal(config.podLabel, undefined);
});

test('server_address wins over server_socket_path, with a warning', async () => {
  const { config, warnings } = await parseConfig(`${minimal}server_address = "unix:///other.sock"\n`, 'k.conf');
  assert.equal(config.serverAddress, 'unix:///other.sock');
  assert.deepEqual(warnings, ['k.conf:3: server_socket_path is ignored because server_address is set']);
});

test('a trust domain given as a spiffe:// ID is reduced to its name', async () => {
  const { config } = await parseConfig(minimal.replace('"example.org"', '"spiffe://example.org"'), 'k.conf');
  assert.equal(config.trustDomain, 'example.org');
});

test('an explicit empty disabled_namespaces list disables no namespace', async () => {
  const { config } = await parseConfig(`${minimal}disabled_namespaces = []\n`, 'k.conf');
  assert.deepEqual(config.disabledNamespaces, []);
});

test('HCL v1 coercions the original accepted still work: numbers and bools for strings, quoted numbers, 1/0 and "true" for bools', async () => {
  const text = `${minimal}mode = "crd"\nmetrics_bind_addr = 0\nwebhook_service_name = true\nwebhook_port = "9444"\n` +
    `pod_controller = "FALSE"\nadd_svc_dns_name = 0\nwebhook_enabled = "1"\nleader_election = 1\ndns_name_templates = [1]\n`;
  const { config } = await parseConfig(text, 'k.conf');
  assert.ok(config.mode === 'crd');
  assert.equal(config.metricsBindAddr, '0');
  assert.equal(config.webhookServiceName, 'true');
  assert.equal(config.webhookPort, 9444);
  assert.equal(config.podController, false);
  assert.equal(config.addSvcDnsName, false);
  assert.equal(config.webhookEnabled, true);
  assert.equal(config.leaderElection, true);
  assert.deepEqual(config.dnsNameTemplates, ['1']);
});

test('the original messages, each with the line of the key it is about', async () => {
  const cases: [string, string][] = [
    ['trust_domain = "example.org"\ncluster = "c"\n', 'k.conf: server_address or server_socket_path must be specified'],
    ['trust_domain = "example.org"\ncluster = "c"\nserver_address = "spire:8081"\n', 'k.conf:3: agent_socket_path must be specified if the server is not a local socket'],
    ['cluster = "c"\nserver_socket_path = "/s"\n', 'k.conf: trust_domain must be specified'],
    [
      'trust_domain = "Example.org"\ncluster = "c"\nserver_socket_path = "/s"\n',
      'k.conf:1: malformed trust domain: trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
    ],
    ['trust_domain = "example.org"\nserver_socket_path = "/s"\n', 'k.conf: cluster must be specified'],
    [`${minimal}pod_label = "a"\npod_annotation = "b"\n`, "k.conf:5: workload registration mode specification is incorrect, can't specify both pod_label and pod_annotation"],
    [`${minimal}mode = "informer"\n`, 'k.conf:4: invalid mode "informer", valid values are crd, webhook and reconcile'],
    [`${minimal}mode = "reconcile"\nleader_election = true\nleader_election_resource_lock = "configmaps"\n`, 'k.conf:6: the "configmaps" leader election resource lock type is no longer supported'],
    [`${minimal}mode = "crd"\nleader_election = true\nleader_election_resource_lock = "configmaps"\n`, 'k.conf:6: the "configmaps" leader election resource lock type is no longer supported'],
    [`${minimal}mode = "reconcile"\nleader_election_lease_duration = "10s"\n`, 'k.conf:5: leader_election_lease_duration must be greater than leader_election_renew_deadline'],
    [`${minimal}mode = "crd"\nleader_election_renew_deadline = "2s"\n`, 'k.conf:5: leader_election_renew_deadline must be greater than 1.2 x leader_election_retry_period'],
    [`${minimal}mode = "reconcile"\nleader_election_retry_period = "0s"\n`, 'k.conf:5: leader_election_retry_period: must be at least 1ms'],
    [
      `${minimal}mode = "crd"\npod_label = "a"\nidentity_template = "x/{{.Pod.Name}}"\n`,
      'k.conf:6: workload registration configuration is incorrect, can only use one of identity_template, pod_annotation, or pod_label',
    ],
    [`${minimal}log_level = "verbose"\n`, 'k.conf:4: log_level: not a valid logrus Level: "verbose"'],
    [`${minimal}log_format = "yaml"\n`, 'k.conf:4: log_format: unknown logger format: "yaml"'],
  ];
  for (const [text, problem] of cases) assert.deepEqual(await problemsOf(text), [problem], text);
});

test('crd templates are checked with crd mode\'s own start-up check, at the template\'s line', async () => {
  assert.deepEqual(await problemsOf(`${minimal}mode = "crd"\nidentity_template = "region/{{.Context.Region}}"\n`), [
    'k.conf:5: identity_template references non-existing context',
  ]);
  const dns = await problemsOf(`${minimal}mode = "crd"\ncontext {\n  Region = "x"\n}\ndns_name_templates = ["{{.Context.Zone}}.svc"]\n`);
  assert.deepEqual(dns, ['k.conf:8: validating the dns name template: dns_name_template references non-existing context key "Zone"']);
});

test('every problem is reported, not just the first', async () => {
  assert.deepEqual(await problemsOf('pod_label = "a"\npod_annotation = "b"\nmode = "x"\n'), [
    "k.conf:2: workload registration mode specification is incorrect, can't specify both pod_label and pod_annotation",
    'k.conf:3: invalid mode "x", valid values are crd, webhook and reconcile',
    'k.conf: server_address or server_socket_path must be specified',
    'k.conf: trust_domain must be specified',
    'k.conf: cluster must be specified',
  ]);
});

test('wrong types name the key, the expected type and the line', async () => {
  const text = `${minimal}mode = "crd"
webhook_port = "many"
leader_election = "yes"
disabled_namespaces = "kube-system"
dns_name_templates = [1, ["x"]]
context {
  Region = ["a"]
}
resync_interval = "10"
webhook_enabled = 2
log_level = debug
`;
  assert.deepEqual(await problemsOf(text), [
    'k.conf:5: webhook_port: expected a whole number, got string "many"',
    'k.conf:6: leader_election: expected a bool (true or false), got string "yes"',
    'k.conf:7: disabled_namespaces: expected a list of strings, got string "kube-system"',
    'k.conf:8: dns_name_templates: expected a list of strings, got a list containing a list',
    'k.conf:9: context: expected a map of strings (context { Key = "value" }), got a block whose "Region" is a list',
    'k.conf:12: resync_interval: expected a duration such as "10s" or "1m30s", got string "10"',
    'k.conf:13: webhook_enabled: expected a bool (true or false), got number 2',
    'k.conf:14: log_level: expected a string, got the unquoted expression debug (strings need double quotes)',
  ]);
});

test('a key of another mode is warned about and not type-checked', async () => {
  const { warnings } = await parseConfig(`${minimal}cluster_dns_zone = true\n`, 'k.conf');
  assert.deepEqual(warnings, ['k.conf:4: configuration key "cluster_dns_zone" is not used in webhook mode (it is a reconcile and crd mode key); it is ignored']);
});

test('a mistyped key is a warning that suggests the closest known key', async () => {
  const { config, warnings } = await parseConfig(`${minimal}mode = "reconcile"\npod_lable = "spire-workload"\nmetric_addr = "0"\nfrobnicate = 1\n`, 'k.conf');
  assert.equal(config.podLabel, undefined);
  assert.deepEqual(warnings, [
    'k.conf:5: unknown configuration key "pod_lable" (did you mean "pod_label"?); it is ignored',
    'k.conf:6: unknown configuration key "metric_addr" (did you mean "metrics_addr"?); it is ignored',
    'k.conf:7: unknown configuration key "frobnicate"; it is ignored',
  ]);
});

test('a typo of another mode\'s key still gets a suggestion', async () => {
  const { warnings } = await parseConfig(`${minimal}metric_addr = "0"\n`, 'k.conf');
  assert.deepEqual(warnings, ['k.conf:4: unknown configuration key "metric_addr" (did you mean "metrics_addr"?); it is ignored']);
});

test('a misspelt required key gives both the suggestion and the "must be specified" error', async () => {
  try {
    await parseConfig('trust_domian = "example.org"\ncluster = "c"\nserver_socket_path = "/s"\n', 'k.conf');
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, ['k.conf: trust_domain must be specified']);
    assert.deepEqual(err.warnings, ['k.conf:1: unknown configuration key "trust_domian" (did you mean "trust_domain"?); it is ignored']);
  }
});

test('leader_election_resource_lock: multilocks use their Lease part; other locks are refused; ignored without leader election', async () => {
  const le = (lock: string, enabled = true) => `${minimal}mode = "reconcile"\nleader_election = ${enabled}\nleader_election_resource_lock = "${lock}"\n`;
  const multi = await parseConfig(le('endpointsleases'), 'k.conf');
  assert.equal(multi.config.mode === 'reconcile' && multi.config.leaderElectionResourceLock, 'leases');
  assert.deepEqual(multi.warnings, ['k.conf:6: leader_election_resource_lock "endpointsleases": only its Lease part is used (as "leases")']);
  assert.deepEqual(await problemsOf(le('endpoints')), ['k.conf:6: the "endpoints" leader election resource lock type is no longer supported']);
  assert.deepEqual(await problemsOf(le('etcd')), [
    'k.conf:6: leader_election_resource_lock: invalid lock type "etcd", valid values are leases, endpointsleases and configmapsleases',
  ]);
  const off = await parseConfig(le('configmaps', false), 'k.conf');
  assert.deepEqual(off.warnings, ['k.conf:6: leader_election_resource_lock "configmaps" is ignored because leader_election is false']);
});

test('webhook_port must be a TCP port; 0 means the default as in the original', async () => {
  assert.deepEqual(await problemsOf(`${minimal}mode = "crd"\nwebhook_port = 70000\n`), ['k.conf:5: webhook_port: must be between 1 and 65535, got 70000']);
  const { config } = await parseConfig(`${minimal}mode = "crd"\nwebhook_port = 0\n`, 'k.conf');
  assert.equal(config.mode === 'crd' && config.webhookPort, 9443);
});

test('resync_interval must be positive', async () => {
  assert.deepEqual(await problemsOf(`${minimal}mode = "reconcile"\nresync_interval = "0s"\n`), ['k.conf:5: resync_interval: must be at least 1ms']);
});

test('relist_interval is at least a second', async () => {
  assert.deepEqual(await problemsOf(`${minimal}mode = "crd"\nrelist_interval = "500ms"\n`), ['k.conf:5: relist_interval: must be at least 1s']);
});

test('an HCL syntax error is reported with the parser message and file:line', async () => {
  const problems = await problemsOf('trust_domain = "example.org"\ncluster = k8s test\n');
  assert.equal(problems.length, 1);
  assert.match(problems[0] as string, /^k\.conf:2:\d+: /);
});

// The three configurations of the seed tutorial (webhook, reconcile and crd sections).
test('tutorial webhook mode config', async () => {
  const text = `cert_path = "/run/spire/k8s-workload-registrar/certs/server-cert.pem"
key_path = "/run/spire/k8s-workload-registrar/secret/server-key.pem"
cacert_path = "/run/spire/k8s-workload-registrar/certs/cacert.pem"
trust_domain = "example.org"
cluster = "k8stest"
server_socket_path = "/tmp/spire-server/private/api.sock"
insecure_skip_client_verification = false
`;
  assert.deepEqual(await parseConfig(text, 'k.conf'), {
    config: {
      ...commonDefaults,
      mode: 'webhook',
      addr: ':8443',
      certPath: '/run/spire/k8s-workload-registrar/certs/server-cert.pem',
      keyPath: '/run/spire/k8s-workload-registrar/secret/server-key.pem',
      cacertPath: '/run/spire/k8s-workload-registrar/certs/cacert.pem',
      insecureSkipClientVerification: false,
      healthAddr: '0',
      webhookResync: false,
      resyncIntervalMs: 10_000,
    },
    warnings: [],
  });
});

test('tutorial reconcile mode config', async () => {
  const text = `mode = "reconcile"
trust_domain = "example.org"
cluster = "k8stest"
server_socket_path = "/tmp/spire-server/private/api.sock"
metrics_addr = "0"
pod_label = "spire-workload"
`;
  assert.deepEqual(await parseConfig(text, 'k.conf'), {
    config: {
      ...commonDefaults,
      podLabel: 'spire-workload',
      mode: 'reconcile',
      leaderElection: false,
      leaderElectionResourceLock: 'leases',
      ...leaderTimingDefaults,
      controllerName: 'spire-k8s-registrar',
      addPodDnsNames: false,
      clusterDnsZone: 'cluster.local',
      metricsAddr: '0',
      resyncIntervalMs: 10_000,
      relistIntervalMs: 3_600_000,
    },
    warnings: [],
  });
});

test('tutorial crd mode config', async () => {
  const text = `trust_domain = "example.org"
server_socket_path = "/tmp/spire-server/private/api.sock"
cluster = "k8stest"
mode = "crd"
pod_annotation = "spiffe.io/spiffe-id"
`;
  assert.deepEqual(await parseConfig(text, 'k.conf'), {
    config: {
      ...commonDefaults,
      podAnnotation: 'spiffe.io/spiffe-id',
      mode: 'crd',
      leaderElection: false,
      leaderElectionResourceLock: 'leases',
      ...leaderTimingDefaults,
      podController: true,
      addSvcDnsName: true,
      context: {},
      dnsNameTemplates: ['{{.Pod.Name}}'],
      webhookEnabled: false,
      webhookPort: 9443,
      webhookCertDir: '/run/spire/serving-certs',
      webhookServiceName: 'k8s-workload-registrar',
      metricsBindAddr: ':8080',
      resyncIntervalMs: 10_000,
      relistIntervalMs: 3_600_000,
      clusterDnsZone: 'cluster.local',
      spiffeidPolicy: 'namespace',
      spiffeidAllowedDnsSuffixes: [],
    },
    warnings: [],
  });
});

test('spiffeid_policy takes "namespace" or "open"; the DNS suffix allow-list takes DNS name suffixes only', async () => {
  await assert.rejects(parseConfig(`${minimal}mode = "crd"\nspiffeid_policy = "strict"\n`, 'k.conf'), /spiffeid_policy: must be "namespace" or "open", got "strict"/);
  await assert.rejects(parseConfig(`${minimal}mode = "crd"\nspiffeid_allowed_dns_suffixes = ["*.example.com"]\n`, 'k.conf'), /"\*\.example\.com" is not a DNS name suffix/);
});

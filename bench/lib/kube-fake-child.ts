// The fake Kubernetes API server in a process of its own, with the SpiffeID CRD registered, the "spire"
// namespace and one pod (`owner`, uid `owner-uid`) that SpiffeIDs may name as their owner (the fake's
// garbage collector deletes dependents of a missing owner). For benches that measure a client's CPU:
// the server's work then lands in this process, not the client's. argv[2] = "tls" serves HTTPS with a
// certificate made here. Sends { url, caPem? } over IPC when serving; exits when the parent disconnects.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';

if (!process.send) throw new Error('usage: fork(kube-fake-child.ts, ["tls"|"plain"]) with an IPC channel');
const useTls = process.argv[2] === 'tls';
let tls: { certPem: string; keyPem: string; caPem: string } | undefined;
if (useTls) {
  const ca = await createCa({ commonName: 'bench fake-apiserver CA' });
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  tls = { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem };
}
const kube = await startFakeKubeApi({ namespaces: ['default', 'spire'], historyLimit: 1_000, ...(tls ? { tls } : {}) });
const crd = parseYaml(await readFile(new URL('../../deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml', import.meta.url), 'utf8'));
kube.store.putObject(crd);
kube.store.putObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'owner', namespace: 'spire', uid: 'owner-uid' }, spec: { nodeName: 'n' } });
process.on('disconnect', () => void kube.close().then(() => process.exit(0)));
process.send({ url: kube.url, ...(tls ? { caPem: tls.caPem } : {}) });

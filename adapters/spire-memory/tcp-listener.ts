// The Entry/SVID/Bundle services on 127.0.0.1 over mTLS. As on a real SPIRE server, a TCP caller must
// present an X509-SVID from this trust domain whose SPIFFE ID is an admin (an entry with admin=true, or
// one of `adminIds`); anyone else gets PERMISSION_DENIED (docs/spire-entry-api.md section 0).
import * as grpc from '@grpc/grpc-js';
import { spireServerId } from '../../handlers/entries/spiffe-id.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { issueKeyAndCert } from '../x509/index.js';
import type { MemorySpireCore } from './core.js';
import { wireIdText } from './entry-table.js';
import { addSpireServices, bindAsync, shutdown } from './grpc-services.js';
import { RpcError } from './rpc-error.js';

export type TcpListener = {
  readonly address: string;
  readonly port: number;
  readonly serverSpiffeId: string;
  /** SHA-256 fingerprints (node's `fingerprint256` form) of the client certificates of recent calls, oldest first. */
  callerFingerprints(): string[];
  close(): Promise<void>;
};

function callerIds(call: grpc.ServerUnaryCall<unknown, unknown>): string[] {
  const san = call.getAuthContext()?.sslPeerCertificate?.subjectaltname ?? '';
  return san.split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
}

export async function startTcpListener(core: MemorySpireCore, options: { port?: number; adminIds: () => readonly string[] }): Promise<TcpListener> {
  const serverSpiffeId = spireServerId(core.trustDomain);
  const cert = await issueKeyAndCert(core.ca, {
    uris: [serverSpiffeId], dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server', ttlSeconds: 24 * 3600, now: core.now(),
  });
  const isAdmin = (id: string) => options.adminIds().includes(id) || core.entries().some((e) => e.admin && wireIdText(e.spiffe_id) === id);
  const fingerprints: string[] = [];
  const server = new grpc.Server();
  addSpireServices(server, core, (call) => {
    const fp = call.getAuthContext()?.sslPeerCertificate?.fingerprint256;
    if (fp) fingerprints.push(fp);
    if (fingerprints.length > 100) fingerprints.shift();
    const ids = callerIds(call);
    if (ids.some(isAdmin)) return undefined;
    return new RpcError(StatusCode.PERMISSION_DENIED, 'authorization denied for method: caller is not an admin');
  });
  const creds = grpc.ServerCredentials.createSsl(Buffer.from(core.ca.certPem),
    [{ cert_chain: Buffer.from(cert.certPem), private_key: Buffer.from(cert.keyPem) }], true);
  const port = await bindAsync(server, `127.0.0.1:${options.port ?? 0}`, creds);
  return { address: `127.0.0.1:${port}`, port, serverSpiffeId, callerFingerprints: () => [...fingerprints], close: () => shutdown(server) };
}

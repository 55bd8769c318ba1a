// A SPIFFE Workload API (agent side) serving one X509-SVID, signed by the in-memory CA, on a Unix
// socket: enough for the registrar's TCP + mTLS path. `rotate()` issues a new SVID and pushes it to
// every open FetchX509SVID stream, as an agent does before expiry.
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { serviceDefinition, serviceNames } from '../spire/protos.js';
import type { X509SvidResponse } from '../spire/wire-types.js';
import { type IssuedLeaf, issueKeyAndCert } from '../x509/index.js';
import type { MemorySpireCore } from './core.js';
import { bindAsync, shutdown } from './grpc-services.js';

export type WorkloadApiServer = {
  readonly socketPath: string;
  readonly spiffeId: string;
  /** The SVID the API hands out now. */
  current(): IssuedLeaf;
  /** Issues a fresh SVID and sends it on every open stream; resolves once written. */
  rotate(): Promise<IssuedLeaf>;
  close(): Promise<void>;
};

export type WorkloadApiOptions = { readonly socketPath: string; readonly spiffeId: string; readonly ttlSeconds?: number };

function issue(core: MemorySpireCore, spiffeId: string, ttlSeconds: number): Promise<IssuedLeaf> {
  return issueKeyAndCert(core.ca, { uris: [spiffeId], usage: 'both', ttlSeconds, now: core.now() });
}

export async function startWorkloadApi(core: MemorySpireCore, options: WorkloadApiOptions): Promise<WorkloadApiServer> {
  const ttl = options.ttlSeconds ?? 3600;
  let svid = await issue(core, options.spiffeId, ttl);
  const streams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  const response = (): X509SvidResponse => ({
    svids: [{ spiffe_id: options.spiffeId, x509_svid: svid.der, x509_svid_key: svid.keyDer, bundle: core.ca.der, hint: '' }],
    crl: [],
    federated_bundles: {},
  });

  const server = new grpc.Server();
  server.addService(serviceDefinition(serviceNames.workload), {
    FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      // Ref: SPIRE agent's workload endpoint refuses calls without the security header.
      if (call.metadata.get('workload.spiffe.io')[0] !== 'true') {
        // grpc-js: an 'error' event on a server stream becomes the call's status.
        call.emit('error', { code: StatusCode.INVALID_ARGUMENT, details: 'security header missing from request' });
        return;
      }
      core.invoke('FetchX509SVID', () => undefined).then(() => {
        streams.add(call);
        call.on('cancelled', () => streams.delete(call));
        call.on('close', () => streams.delete(call));
        call.write(response());
      }, (err: unknown) => call.emit('error', err));
    },
  });
  await bindAsync(server, `unix:${options.socketPath}`, grpc.ServerCredentials.createInsecure());

  return {
    socketPath: options.socketPath,
    spiffeId: options.spiffeId,
    current: () => svid,
    async rotate() {
      svid = await issue(core, options.spiffeId, ttl);
      const message = response();
      await Promise.all([...streams].map((s) => new Promise<void>((resolve) => s.write(message, () => resolve()))));
      return svid;
    },
    async close() {
      for (const s of streams) s.end();
      streams.clear();
      await shutdown(server);
    },
  };
}

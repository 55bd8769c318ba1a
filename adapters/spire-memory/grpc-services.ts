// The in-memory core's Entry, SVID and Bundle services as grpc-js handlers. A handler only decodes,
// calls the core and maps RpcError to a gRPC status; `authorize` runs first (TCP listener: admin only).
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { serviceDefinition, serviceNames } from '../spire/protos.js';
import type { MemorySpireCore } from './core.js';
import { callCancelled } from './faults.js';
import { RpcError } from './rpc-error.js';

/** Returns an error to refuse the call, or undefined to let it through. */
export type Authorize = (call: grpc.ServerUnaryCall<unknown, unknown>) => RpcError | undefined;

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  return { code: StatusCode.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

/** The request arrives decoded by proto-loader in the shape of Req (adapters/spire/wire-types.ts). */
function unary<Req>(run: (req: Req) => Promise<unknown>, authorize?: Authorize): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const refused = authorize?.(call);
    if (refused) {
      callback(toServiceError(refused));
      return;
    }
    callCancelled
      .run(() => call.cancelled, () => run(call.request as Req))
      .then((res) => callback(null, res), (err: unknown) => callback(toServiceError(err)));
  };
}

/** Adds Entry, SVID and Bundle to `server`. */
export function addSpireServices(server: grpc.Server, core: MemorySpireCore, authorize?: Authorize): void {
  server.addService(serviceDefinition(serviceNames.entry), {
    CountEntries: unary(core.countEntries.bind(core), authorize),
    ListEntries: unary(core.listEntries.bind(core), authorize),
    GetEntry: unary(core.getEntry.bind(core), authorize),
    BatchCreateEntry: unary(core.batchCreateEntry.bind(core), authorize),
    BatchUpdateEntry: unary(core.batchUpdateEntry.bind(core), authorize),
    BatchDeleteEntry: unary(core.batchDeleteEntry.bind(core), authorize),
  });
  server.addService(serviceDefinition(serviceNames.svid), { MintX509SVID: unary(core.mintX509Svid.bind(core), authorize) });
  server.addService(serviceDefinition(serviceNames.bundle), { GetBundle: unary(core.getBundle.bind(core), authorize) });
}

export function bindAsync(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(new Error(`bind ${address}`, { cause: err })) : resolve(port)));
  });
}

export function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    server.tryShutdown(() => resolve());
    // Streams (the Workload API) never end on their own; force them after a short grace period.
    setTimeout(() => server.forceShutdown(), 200).unref();
  });
}

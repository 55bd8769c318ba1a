// EntryRpc over gRPC. `client()` is asked on every call, so a rotated mTLS channel takes effect at once.
import type * as grpc from '@grpc/grpc-js';
import type { EntryRpc } from './entry-rpc.js';
import { type CallSettings, unaryCall } from './grpc-call.js';
import { serviceDefinition, serviceNames } from './protos.js';

function method<Req, Res>(name: string): grpc.MethodDefinition<Req, Res> {
  const def = serviceDefinition(serviceNames.entry)[name];
  if (!def) throw new Error(`Entry/${name} missing from the proto subset`);
  return def as grpc.MethodDefinition<Req, Res>;
}

export function grpcEntryRpc(client: () => grpc.Client, settings: CallSettings, close: () => Promise<void>): EntryRpc {
  const call = <Req, Res>(name: string) => (req: Req, what: string, signal?: AbortSignal) =>
    unaryCall<Req, Res>(client, method<Req, Res>(name), req, what, settings, signal);
  return {
    countEntries: call('CountEntries'),
    listEntries: call('ListEntries'),
    getEntry: call('GetEntry'),
    batchCreateEntry: call('BatchCreateEntry'),
    batchUpdateEntry: call('BatchUpdateEntry'),
    batchDeleteEntry: call('BatchDeleteEntry'),
    close,
  };
}

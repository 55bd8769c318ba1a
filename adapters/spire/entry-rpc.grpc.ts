// EntryRpc over gRPC. `client()` is asked on every call, so a rotated mTLS channel takes effect at once.
import type * as grpc from '@grpc/grpc-js';
import type { EntryRpc, ListEntriesPage } from './entry-rpc.js';
import { type CallSettings, unaryCall } from './grpc-call.js';
import { decodeListEntriesResponse } from './list-entries-decode.js';
import { serviceDefinition, serviceNames } from './protos.js';
import type { ListEntriesRequest } from './wire-types.js';

function method<Req, Res>(name: string): grpc.MethodDefinition<Req, Res> {
  const def = serviceDefinition(serviceNames.entry)[name];
  if (!def) throw new Error(`Entry/${name} missing from the proto subset`);
  return def as grpc.MethodDefinition<Req, Res>;
}

/** ListEntries with its response decoded straight into entries (list-entries-decode.ts), not via proto-loader. */
function listEntriesMethod(): grpc.MethodDefinition<ListEntriesRequest, ListEntriesPage> {
  const def = method<ListEntriesRequest, unknown>('ListEntries');
  return { ...def, responseDeserialize: decodeListEntriesResponse };
}

export function grpcEntryRpc(client: () => grpc.Client, settings: CallSettings, close: () => Promise<void>): EntryRpc {
  const listEntries = listEntriesMethod();
  const call = <Req, Res>(name: string) => (req: Req, what: string, signal?: AbortSignal) =>
    unaryCall<Req, Res>(client, method<Req, Res>(name), req, what, settings, signal);
  return {
    countEntries: call('CountEntries'),
    listEntries: (req: ListEntriesRequest, what: string, signal?: AbortSignal) =>
      unaryCall(client, listEntries, req, what, settings, signal),
    getEntry: call('GetEntry'),
    batchCreateEntry: call('BatchCreateEntry'),
    batchUpdateEntry: call('BatchUpdateEntry'),
    batchDeleteEntry: call('BatchDeleteEntry'),
    close,
  };
}

// EntryRpc over gRPC. `client()` is asked on every call, so a rotated mTLS channel takes effect at once.
import type * as grpc from '@grpc/grpc-js';
import type { BatchEntryResults, EntryRpc, ListEntriesPage } from './entry-rpc.js';
import { type CallSettings, unaryCall } from './grpc-call.js';
import { decodeBatchEntryResponse, decodeListEntriesResponse } from './entry-responses-decode.js';
import { serviceDefinition, serviceNames } from './protos.js';
import type { BatchCreateEntryRequest, BatchUpdateEntryRequest, ListEntriesRequest } from './wire-types.js';

/** An Entry method of the proto subset (both transports build their calls from it). */
export function entryMethod<Req, Res>(name: string): grpc.MethodDefinition<Req, Res> {
  const def = serviceDefinition(serviceNames.entry)[name];
  if (!def) throw new Error(`Entry/${name} missing from the proto subset`);
  return def as grpc.MethodDefinition<Req, Res>;
}

/** ListEntries with its response decoded straight into entries (entry-responses-decode.ts), not via proto-loader. */
function listEntriesMethod(): grpc.MethodDefinition<ListEntriesRequest, ListEntriesPage> {
  const def = entryMethod<ListEntriesRequest, unknown>('ListEntries');
  return { ...def, responseDeserialize: decodeListEntriesResponse };
}

/** A batch write whose results decode straight into entries (the owned index keeps them). */
function batchMethod<Req>(name: 'BatchCreateEntry' | 'BatchUpdateEntry'): grpc.MethodDefinition<Req, BatchEntryResults> {
  return { ...entryMethod<Req, unknown>(name), responseDeserialize: decodeBatchEntryResponse };
}

export function grpcEntryRpc(client: () => grpc.Client, settings: CallSettings, close: () => Promise<void>): EntryRpc {
  const listEntries = listEntriesMethod();
  const batchCreate = batchMethod<BatchCreateEntryRequest>('BatchCreateEntry');
  const batchUpdate = batchMethod<BatchUpdateEntryRequest>('BatchUpdateEntry');
  const call = <Req, Res>(name: string) => (req: Req, what: string, signal?: AbortSignal) =>
    unaryCall<Req, Res>(client, entryMethod<Req, Res>(name), req, what, settings, signal);
  return {
    countEntries: call('CountEntries'),
    listEntries: (req: ListEntriesRequest, what: string, signal?: AbortSignal) =>
      unaryCall(client, listEntries, req, what, settings, signal),
    getEntry: call('GetEntry'),
    batchCreateEntry: (req: BatchCreateEntryRequest, what: string, signal?: AbortSignal) => unaryCall(client, batchCreate, req, what, settings, signal),
    batchUpdateEntry: (req: BatchUpdateEntryRequest, what: string, signal?: AbortSignal) => unaryCall(client, batchUpdate, req, what, settings, signal),
    batchDeleteEntry: call('BatchDeleteEntry'),
    close,
  };
}

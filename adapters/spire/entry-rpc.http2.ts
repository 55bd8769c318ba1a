// EntryRpc over the lean http2 transport (http2-unary.ts, docs/adr/0008): the same requests and
// responses as entry-rpc.grpc.ts (requests serialized by proto-loader's definitions, list and batch
// write responses decoded straight into entries by entry-responses-decode.ts), the same retries and
// SpireCallErrors (grpc-call.ts's withRetries); only the transport differs.
import { StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryRpc } from './entry-rpc.js';
import { decodeBatchEntryResponse, decodeListEntriesResponse } from './entry-responses-decode.js';
import { type CallSettings, withRetries } from './grpc-call.js';
import { GrpcStatusError, type Http2UnaryChannel } from './http2-unary.js';
import { entryMethod } from './entry-rpc.grpc.js';

type Method<Req, Res> = { readonly name: string; readonly path: string; serialize(req: Req): Buffer; deserialize(bytes: Buffer): Res };

function method<Req, Res>(name: string, deserialize?: (bytes: Buffer) => Res): Method<Req, Res> {
  const def = entryMethod<Req, Res>(name);
  return { name, path: def.path, serialize: def.requestSerialize, deserialize: deserialize ?? def.responseDeserialize };
}

export function http2EntryRpc(channel: Http2UnaryChannel, settings: CallSettings, close: () => Promise<void>): EntryRpc {
  const waitForReady = settings.waitForReady ?? true;
  const call = <Req, Res>(m: Method<Req, Res>) => (req: Req, what: string, signal?: AbortSignal): Promise<Res> => {
    const message = m.serialize(req);
    return withRetries(m.name, m.path, what, settings, signal, async () => {
      const bytes = await channel.call(m.path, message, settings.timeoutMs, waitForReady, signal);
      try {
        return m.deserialize(bytes);
      } catch (err) {
        // As grpc-js reports a response its deserializer rejects.
        throw new GrpcStatusError(StatusCode.INTERNAL, `Response message parsing error: ${(err as Error).message}`, { cause: err });
      }
    });
  };
  return {
    countEntries: call(method('CountEntries')),
    listEntries: call(method('ListEntries', decodeListEntriesResponse)),
    getEntry: call(method('GetEntry')),
    batchCreateEntry: call(method('BatchCreateEntry', decodeBatchEntryResponse)),
    batchUpdateEntry: call(method('BatchUpdateEntry', decodeBatchEntryResponse)),
    batchDeleteEntry: call(method('BatchDeleteEntry')),
    close,
  };
}

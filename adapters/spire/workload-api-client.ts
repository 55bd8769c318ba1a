// Watches the SPIRE Agent's Workload API (FetchX509SVID stream) for the registrar's own X509-SVID and
// trust bundle, reconnecting with backoff when the stream breaks. Every message replaces the material.
import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
// The PEM/DER helpers only, not the x509 index: that loads @peculiar/x509 and its providers (~12 MiB,
// ~100 ms at start-up), which a registrar on a Unix socket never needs (bench/README.md).
import { splitDerSequences } from '../x509/der.js';
import { dersToPem, derToPem } from '../x509/pem.js';
import { type RetryPolicy, backoffDelayMs, defaultRetryPolicy } from './backoff.js';
import { serviceDefinition, serviceNames } from './protos.js';
import type { X509SvidResponse } from './wire-types.js';

export type X509Material = {
  readonly spiffeId: string;
  /** Leaf first. */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The trust domain's CA certificates. */
  readonly bundlePem: string;
};

export type X509Watch = {
  /** Resolves with the first SVID; rejects when `close()` comes first. */
  readonly first: Promise<X509Material>;
  close(): void;
};

function toMaterial(res: X509SvidResponse): X509Material {
  const svid = res.svids[0];
  if (!svid) throw new Error('workload API response holds no X509-SVID');
  return {
    spiffeId: svid.spiffe_id,
    certChainPem: dersToPem(splitDerSequences(new Uint8Array(svid.x509_svid)), 'CERTIFICATE'),
    keyPem: derToPem(new Uint8Array(svid.x509_svid_key), 'PRIVATE KEY'),
    bundlePem: dersToPem(splitDerSequences(new Uint8Array(svid.bundle)), 'CERTIFICATE'),
  };
}

export type WatchOptions = {
  readonly socketPath: string;
  readonly onUpdate: (m: X509Material) => void;
  readonly onError?: (err: unknown) => void;
  readonly retry?: RetryPolicy;
};

export function watchX509Svid(options: WatchOptions): X509Watch {
  const def = serviceDefinition(serviceNames.workload).FetchX509SVID as grpc.MethodDefinition<object, X509SvidResponse>;
  const client = new grpc.Client(`unix:${options.socketPath}`, grpc.credentials.createInsecure());
  let closed = false;
  let call: grpc.ClientReadableStream<X509SvidResponse> | undefined;
  let resolveFirst: (m: X509Material) => void = () => undefined;
  let rejectFirst: (e: unknown) => void = () => undefined;
  const first = new Promise<X509Material>((resolve, reject) => { resolveFirst = resolve; rejectFirst = reject; });
  first.catch(() => undefined);

  let delivered = false;
  const open = (): Promise<void> => new Promise((done) => {
    const md = new grpc.Metadata();
    md.set('workload.spiffe.io', 'true');
    call = client.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, md, {});
    call.on('data', (res: X509SvidResponse) => {
      try {
        const m = toMaterial(res);
        delivered = true;
        resolveFirst(m);
        options.onUpdate(m);
      } catch (err) {
        options.onError?.(err);
      }
    });
    call.on('error', (err) => { if (!closed) options.onError?.(err); });
    call.on('close', () => done());
  });

  void (async () => {
    const policy = options.retry ?? defaultRetryPolicy;
    for (let retry = 0; !closed; retry++) {
      delivered = false;
      await open();
      if (delivered) retry = 0;
      if (!closed) await sleep(backoffDelayMs(policy, Math.min(retry, 10)));
    }
  })();

  return {
    first,
    close() {
      closed = true;
      rejectFirst(new Error('workload API watch closed'));
      call?.cancel();
      client.close();
    },
  };
}

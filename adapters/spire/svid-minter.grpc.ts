// SvidMinter over gRPC: SVID.MintX509SVID and Bundle.GetBundle.
import type * as grpc from '@grpc/grpc-js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { type CallOptions, SpireCallError } from '../entry-store.js';
import type { MintedSvid, SvidMinter } from '../svid-minter.js';
import { spiffeIdFromWire } from './entry-convert.js';
import { type CallSettings, unaryCall } from './grpc-call.js';
import { serviceDefinition, serviceNames } from './protos.js';
import type { GetBundleRequest, MintX509SvidRequest, MintX509SvidResponse, WireBundle } from './wire-types.js';

const mintDef = () => serviceDefinition(serviceNames.svid).MintX509SVID as grpc.MethodDefinition<MintX509SvidRequest, MintX509SvidResponse>;
const bundleDef = () => serviceDefinition(serviceNames.bundle).GetBundle as grpc.MethodDefinition<GetBundleRequest, WireBundle>;

export function grpcSvidMinter(client: () => grpc.Client, settings: CallSettings): SvidMinter {
  return {
    async mintX509Svid(csrDer: Uint8Array, ttlSeconds: number, options: CallOptions = {}): Promise<MintedSvid> {
      const res = await unaryCall(client, mintDef(), { csr: csrDer, ttl: ttlSeconds }, 'mint X509-SVID', settings, options.signal);
      if (!res.svid) throw new SpireCallError('mint X509-SVID: response without svid', StatusCode.INTERNAL);
      return { certChain: res.svid.cert_chain.map((c) => new Uint8Array(c)), spiffeId: spiffeIdFromWire(res.svid.id), expiresAt: res.svid.expires_at };
    },
    async x509Authorities(options: CallOptions = {}): Promise<Uint8Array[]> {
      const res = await unaryCall(client, bundleDef(), { output_mask: { x509_authorities: true } }, 'get bundle', settings, options.signal);
      return res.x509_authorities.map((a) => new Uint8Array(a.asn1));
    },
  };
}

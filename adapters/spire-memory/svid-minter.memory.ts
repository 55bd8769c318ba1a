// A SvidMinter straight over the in-memory core's CA, no gRPC.
import { StatusCode } from '../../handlers/entries/status-code.js';
import { SpireCallError } from '../entry-store.js';
import { spiffeIdFromWire } from '../spire/entry-convert.js';
import type { MintedSvid, SvidMinter } from '../svid-minter.js';
import type { MemorySpireCore } from './core.js';
import { RpcError } from './rpc-error.js';

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof RpcError) throw new SpireCallError(`${what}: ${err.message}`, err.code, { cause: err });
    throw err;
  }
}

export function memorySvidMinter(core: MemorySpireCore): SvidMinter {
  return {
    async mintX509Svid(csrDer: Uint8Array, ttlSeconds: number): Promise<MintedSvid> {
      const res = await call('mint X509-SVID', () => core.mintX509Svid({ csr: csrDer, ttl: ttlSeconds }));
      if (!res.svid) throw new SpireCallError('mint X509-SVID: response without svid', StatusCode.INTERNAL);
      return { certChain: res.svid.cert_chain.map((c) => new Uint8Array(c)), spiffeId: spiffeIdFromWire(res.svid.id), expiresAt: res.svid.expires_at };
    },
    async x509Authorities(): Promise<Uint8Array[]> {
      const bundle = await call('get bundle', () => core.getBundle({ output_mask: null }));
      return bundle.x509_authorities.map((a) => new Uint8Array(a.asn1));
    },
  };
}

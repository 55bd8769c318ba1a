// SPIRE's SVID and Bundle APIs, as far as crd mode's webhook serving certificate needs them.
// Implementations: adapters/spire/svid-minter.grpc.ts and the in-memory server's CA.
import type { CallOptions } from './entry-store.js';

export type MintedSvid = {
  /** DER certificates, leaf first; the root is not included. */
  readonly certChain: readonly Uint8Array[];
  readonly spiffeId: string;
  /** Unix seconds (the leaf's NotAfter). */
  readonly expiresAt: number;
};

export interface SvidMinter {
  mintX509Svid(csrDer: Uint8Array, ttlSeconds: number, options?: CallOptions): Promise<MintedSvid>;
  /** DER X.509 authorities of the server's own trust bundle. */
  x509Authorities(options?: CallOptions): Promise<Uint8Array[]>;
}

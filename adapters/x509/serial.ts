import { randomBytes } from 'node:crypto';

/** A random positive 128-bit serial number, as hex (RFC 5280 4.1.2.2: at most 20 octets, positive). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

/** Certificate validity uses whole seconds; `now` defaults to the wall clock. */
export function validity(now: Date | undefined, ttlSeconds: number): { notBefore: Date; notAfter: Date } {
  const start = Math.floor((now ?? new Date()).getTime() / 1000) * 1000;
  return { notBefore: new Date(start), notAfter: new Date(start + ttlSeconds * 1000) };
}

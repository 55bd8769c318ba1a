// PEM <-> DER for certificates, CSRs and PKCS#8 keys (RFC 7468 text encoding).
export type PemLabel = 'CERTIFICATE' | 'CERTIFICATE REQUEST' | 'PRIVATE KEY';

export function derToPem(der: Uint8Array | ArrayBuffer, label: PemLabel): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every block with the given label, in order (a chain or bundle file holds several). */
export function pemToDers(pem: string, label: PemLabel): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64')));
}

export function pemToDer(pem: string, label: PemLabel): Uint8Array {
  const first = pemToDers(pem, label)[0];
  if (!first) throw new Error(`no PEM block labelled ${label}`);
  return first;
}

export function dersToPem(ders: readonly Uint8Array[], label: PemLabel): string {
  return ders.map((d) => derToPem(d, label)).join('');
}

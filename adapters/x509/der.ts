// The Workload API sends certificate chains and bundles as DER certificates written back to back.
// Each certificate is one ASN.1 SEQUENCE, so the chain splits by reading each element's length.

/** Splits concatenated DER SEQUENCEs; throws on a truncated or non-SEQUENCE element. */
export function splitDerSequences(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x30) throw new Error(`DER element at offset ${i} is not a SEQUENCE`);
    const first = bytes[i + 1];
    if (first === undefined) throw new Error(`DER element at offset ${i} is truncated`);
    let length = first;
    let header = 2;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4) throw new Error(`DER element at offset ${i} has an unsupported length`);
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + (bytes[i + 2 + k] ?? 0);
      header += n;
    }
    const end = i + header + length;
    if (end > bytes.length) throw new Error(`DER element at offset ${i} is truncated`);
    out.push(bytes.slice(i, end));
    i = end;
  }
  return out;
}

export function concatDer(items: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(items.map((d) => Buffer.from(d))));
}

// The pod-template-hash a Deployment puts into its ReplicaSet's name and labels. The real controller
// hashes the template with FNV-32a and encodes it with the generated-name alphabet
// (Ref: kubernetes pkg/controller/controller_utils.go ComputeHash); we do the same over the template's
// JSON with sorted keys, so the name is stable for a given template.

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(canonicalJson(template))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // rand.SafeEncodeString(fmt.Sprint(hash)): each character of the decimal hash mapped into the alphabet.
  return [...String(h)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** JSON with object keys sorted, so equal values give equal text whatever order their keys came in. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const entries = Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

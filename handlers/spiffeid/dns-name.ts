// DNS name rules SPIRE applies to entry dns_names and to Mint CSRs (x509util.ValidateDNS).
// Ref: ../shared/spire-entry-api.md 4.3. Upper case and `_` are not judged (server-build dependent).

const LABEL_CHARS = /^[A-Za-z0-9_-]+$/;

/** Returns why `name` is not a valid DNS name for an SVID, or undefined when it is. */
export function dnsNameError(name: string): string | undefined {
  // The server trims whitespace before checking but stores the name as given.
  const trimmed = name.trim();
  if (trimmed === '') return 'empty or only whitespace';
  if (!/^[\x00-\x7f]*$/.test(trimmed)) return 'contains non-ASCII characters';
  if (trimmed.endsWith('.')) return 'ends with a dot';
  const stars = trimmed.split('*').length - 1;
  let rest = trimmed;
  if (stars > 0) {
    if (stars > 1 || !trimmed.startsWith('*.')) return 'wildcard must be a single leading "*." label';
    rest = trimmed.slice(2);
  }
  if (rest.length > 253) return 'longer than 253 characters';
  for (const label of rest.split('.')) {
    if (label.length === 0) return 'contains an empty label';
    if (label.length > 63) return `label "${label}" is longer than 63 characters`;
    if (!LABEL_CHARS.test(label)) return `label "${label}" contains invalid characters`;
    if (label.startsWith('-') || label.endsWith('-')) return `label "${label}" starts or ends with "-"`;
    if (label.length >= 4 && label.slice(2, 4) === '--' && !label.toLowerCase().startsWith('xn--')) {
      return `label "${label}" has "--" in the third and fourth positions`;
    }
  }
  return undefined;
}

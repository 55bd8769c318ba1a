// SPIRE's DNS name rules for entry dns_names and MintX509SVID CSRs, with SPIRE's own wording, so the
// registrar refuses before a write exactly what the server would refuse (crd validation, templates)
// and the in-memory server answers as the real one. Upper case and `_` are accepted: whether a server
// rejects them depends on its Go build. Ref: docs/spire-entry-api.md 4.3; SPIRE x509util/dns.go.

/** Characters IDNA lookup (STD3 rules) lets through in an ASCII label, plus `_` (see above). */
const LABEL_CHARS = /^[A-Za-z0-9_-]+$/;

/** Why SPIRE would refuse `name`, or undefined when it accepts it. */
export function dnsNameError(name: string): string | undefined {
  if (!/^[\x00-\x7f]*$/.test(name)) return 'name must be ASCII';
  const stars = name.split('*').length - 1;
  if (stars > 1) return 'too many wildcards';
  if (stars === 1 && !name.startsWith('*.')) return 'wildcard must be first label';
  // The server checks a whitespace-trimmed copy but stores the name as given.
  return hostnameError((stars === 1 ? name.slice(2) : name).trim());
}

function hostnameError(name: string): string | undefined {
  if (name === '') return 'empty domain';
  if (name.endsWith('.')) return 'domain ends with dot';
  if (name.length > 253) return 'idna error: name too long';
  for (const label of name.split('.')) {
    if (label === '') return 'idna error: empty label';
    if (label.length > 63) return 'idna error: label too long';
    if (label.startsWith('-') || label.endsWith('-')) return `idna error: invalid label "${label}"`;
    if (label.slice(2, 4) === '--' && !label.toLowerCase().startsWith('xn--')) return `idna error: invalid label "${label}"`;
    if (!LABEL_CHARS.test(label)) return `idna error: disallowed character in label "${label}"`;
  }
  return undefined;
}

/** True when `wildcard` (`*.a.b`) covers `name` (`x.a.b`): Mint refuses such CSRs. */
export function wildcardCovers(wildcard: string, name: string): boolean {
  if (!wildcard.startsWith('*.') || name === wildcard) return false;
  const base = wildcard.slice(1);
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot) === base && !name.slice(0, dot).includes('*');
}

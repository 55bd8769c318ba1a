// SPIRE's DNS name rules for entries and Mint CSRs (../shared/spire-entry-api.md 4.3; SPIRE
// pkg/common/x509util/dns.go). Upper case and `_` are left alone: whether the server rejects them
// depends on its Go build, so the fake accepts them.

/** An error text, or undefined when SPIRE would accept the name. */
export function dnsNameError(name: string): string | undefined {
  if (!/^[\x00-\x7f]*$/.test(name)) return 'name must be ASCII';
  const stars = name.split('*').length - 1;
  if (stars > 1) return 'too many wildcards';
  if (stars === 1 && !name.startsWith('*.')) return 'wildcard must be first label';
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
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) return `idna error: invalid label "${label}"`;
    if (/[\s\x00-\x1f\x7f]/.test(label)) return `idna error: disallowed character in label "${label}"`;
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

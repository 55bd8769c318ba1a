// SPIRE's checks on proto SPIFFE IDs and trust domains (docs/spire-entry-api.md 2.2, 4.1). The
// texts follow SPIRE's wording; callers add their own prefix ("failed to convert entry: invalid
// parent ID: ", "malformed SPIFFE ID filter: ", ...).
import { checkPath, parseTrustDomain } from '../../handlers/entries/spiffe-id.js';
import type { WireSpiffeId } from '../spire/wire-types.js';

export type IdCheck = { ok: true; id: string; path: string } | { ok: false; error: string };

/** Parses a proto ID and requires it to be in `trustDomain` with a non-empty path. */
export function checkMemberId(id: WireSpiffeId | null | undefined, trustDomain: string): IdCheck {
  if (!id) return { ok: false, error: 'request must specify SPIFFE ID' };
  const td = parseTrustDomain(id.trust_domain);
  if (!td.ok) return { ok: false, error: td.error };
  const pathError = checkPath(id.path);
  if (pathError) return { ok: false, error: pathError };
  const text = `spiffe://${td.value}${id.path}`;
  if (td.value !== trustDomain) return { ok: false, error: `"${text}" is not a member of trust domain "${trustDomain}"` };
  if (id.path === '') return { ok: false, error: `"${text}" is not a member of trust domain "${trustDomain}"; path is empty` };
  return { ok: true, id: text, path: id.path };
}

/** As checkMemberId, and also refuses SPIRE's reserved `/spire` namespace (workload IDs). */
export function checkWorkloadId(id: WireSpiffeId | null | undefined, trustDomain: string): IdCheck {
  const member = checkMemberId(id, trustDomain);
  if (!member.ok) {
    return member.error.endsWith('; path is empty')
      ? { ok: false, error: member.error.replace('is not a member of', 'is not a workload in') }
      : member;
  }
  if (member.path === '/spire' || member.path.startsWith('/spire/')) {
    return { ok: false, error: `"${member.id}" is not a workload in trust domain "${trustDomain}"; path is in the reserved namespace` };
  }
  return member;
}

/** A federates_with value: a trust domain name or `spiffe://name`; returns the bare name. */
export function checkFederatedTrustDomain(value: string): { ok: true; name: string } | { ok: false; error: string } {
  const td = parseTrustDomain(value);
  return td.ok ? { ok: true, name: td.value } : { ok: false, error: td.error };
}

import type { Entry } from '../entries/entry.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { formatSelector } from '../entries/selectors.js';

// What `k8s-workload-registrar plan` reports: one pass of a mode, computed by the mode's own pure handlers
// against the live cluster and SPIRE, as the entry changes it would make, each with the reason, plus the
// entries it would leave alone. Pure; the command prints it (format-change-plan.ts).

export type Change = { readonly entry: Entry; readonly reason: string };

/** crd mode's first step: SpiffeIDs the node and pod controllers would create, update or delete. */
export type SpiffeIdChange = { readonly namespace: string; readonly name: string; readonly reason: string };

export type ChangePlan = {
  readonly create: readonly Change[];
  readonly update: readonly Change[];
  readonly delete: readonly Change[];
  /** Entries this mode does not own (or, in webhook mode, would not touch): listed, never changed. */
  readonly leftAlone: readonly Change[];
  readonly spiffeIds?: {
    readonly create: readonly SpiffeIdChange[];
    readonly update: readonly SpiffeIdChange[];
    readonly delete: readonly SpiffeIdChange[];
  };
  /** Objects that get no entry and why (invalid label values, ...): what the pass would warn about. */
  readonly problems: readonly string[];
};

export function hasChanges(p: ChangePlan): boolean {
  const s = p.spiffeIds;
  return p.create.length + p.update.length + p.delete.length + (s ? s.create.length + s.update.length + s.delete.length : 0) > 0;
}

/** "DNS names changed: [a] -> [a, b]": what an update rewrites, field by field. */
export function describeUpdate(current: Entry, next: Entry): string {
  const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;
  const changes: string[] = [];
  if (current.spiffeId !== next.spiffeId) changes.push(`SPIFFE ID changed: ${current.spiffeId} -> ${next.spiffeId}`);
  if (current.parentId !== next.parentId) changes.push(`parent ID changed: ${current.parentId} -> ${next.parentId}`);
  if (!sameSelectorSet(current.selectors, next.selectors)) {
    changes.push(`selectors changed: ${list(current.selectors.map(formatSelector))} -> ${list(next.selectors.map(formatSelector))}`);
  }
  if (!sameStrings(current.dnsNames, next.dnsNames)) changes.push(`DNS names changed: ${list(current.dnsNames)} -> ${list(next.dnsNames)}`);
  if (!sameStrings([...current.federatesWith].sort(), [...next.federatesWith].sort())) {
    changes.push(`federatesWith changed: ${list(current.federatesWith)} -> ${list(next.federatesWith)}`);
  }
  if (current.downstream !== next.downstream) changes.push(`downstream changed: ${current.downstream} -> ${next.downstream}`);
  if (current.x509SvidTtl !== next.x509SvidTtl) changes.push(`X509-SVID TTL changed: ${current.x509SvidTtl} -> ${next.x509SvidTtl}`);
  if (current.jwtSvidTtl !== next.jwtSvidTtl) changes.push(`JWT-SVID TTL changed: ${current.jwtSvidTtl} -> ${next.jwtSvidTtl}`);
  if (current.admin !== next.admin) changes.push(`admin changed: ${current.admin} -> ${next.admin}`);
  if (current.hint !== next.hint) changes.push(`hint changed: ${current.hint} -> ${next.hint}`);
  return changes.length > 0 ? changes.join('; ') : 'fields changed';
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const NOT_OWNED = 'not owned: left alone';

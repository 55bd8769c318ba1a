// Every conversion between the proto messages and the registrar's own types, in one place.
// SPIRE splits IDs into trust domain and path and returns federates_with as bare names
// (docs/spire-entry-api.md 2.7); the domain type keeps canonical `spiffe://td/path` strings.
import type { Entry } from '../../handlers/entries/entry.js';
import { type Status, StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryFilter, EntryMask, EntryResult, MatchBehavior } from '../entry-store.js';
import type { EntryMaskField, EntryResultWire, WireEntry, WireEntryFilter, WireEntryMask, WireSpiffeId, WireStatus } from './wire-types.js';
import { WireMatch } from './wire-types.js';

const SCHEME = 'spiffe://';

/** Splits without validating: the server judges the ID and answers with its own message. */
export function spiffeIdToWire(id: string): WireSpiffeId {
  if (!id.startsWith(SCHEME)) return { trust_domain: '', path: id };
  const rest = id.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? { trust_domain: rest, path: '' } : { trust_domain: rest.slice(0, slash), path: rest.slice(slash) };
}

export function spiffeIdFromWire(id: WireSpiffeId | null | undefined): string {
  return id ? `${SCHEME}${id.trust_domain}${id.path}` : '';
}

export function entryToWire(e: Entry): WireEntry {
  return {
    id: e.id,
    spiffe_id: spiffeIdToWire(e.spiffeId),
    parent_id: spiffeIdToWire(e.parentId),
    selectors: e.selectors.map((s) => ({ type: s.type, value: s.value })),
    x509_svid_ttl: e.x509SvidTtl,
    federates_with: [...e.federatesWith],
    admin: e.admin,
    downstream: e.downstream,
    expires_at: e.expiresAt,
    dns_names: [...e.dnsNames],
    revision_number: e.revisionNumber,
    store_svid: e.storeSvid,
    jwt_svid_ttl: e.jwtSvidTtl,
    hint: e.hint,
    created_at: e.createdAt,
    additional_attributes: e.additionalAttributes
      ? { disable_x509_svid_prefetch: e.additionalAttributes.disableX509SvidPrefetch, jwt_svid_include_jti: e.additionalAttributes.jwtSvidIncludeJti }
      : null,
  };
}

export function entryFromWire(w: WireEntry): Entry {
  const attrs = w.additional_attributes;
  return {
    id: w.id,
    spiffeId: spiffeIdFromWire(w.spiffe_id),
    parentId: spiffeIdFromWire(w.parent_id),
    selectors: w.selectors.map((s) => ({ type: s.type, value: s.value })),
    x509SvidTtl: w.x509_svid_ttl,
    jwtSvidTtl: w.jwt_svid_ttl,
    federatesWith: [...w.federates_with],
    admin: w.admin,
    downstream: w.downstream,
    expiresAt: w.expires_at,
    dnsNames: [...w.dns_names],
    revisionNumber: w.revision_number,
    storeSvid: w.store_svid,
    hint: w.hint,
    createdAt: w.created_at,
    ...(attrs ? { additionalAttributes: { disableX509SvidPrefetch: attrs.disable_x509_svid_prefetch, jwtSvidIncludeJti: attrs.jwt_svid_include_jti } } : {}),
  };
}

const maskFieldOf: Record<keyof EntryMask, EntryMaskField> = {
  spiffeId: 'spiffe_id',
  parentId: 'parent_id',
  selectors: 'selectors',
  x509SvidTtl: 'x509_svid_ttl',
  federatesWith: 'federates_with',
  admin: 'admin',
  downstream: 'downstream',
  expiresAt: 'expires_at',
  dnsNames: 'dns_names',
  revisionNumber: 'revision_number',
  storeSvid: 'store_svid',
  jwtSvidTtl: 'jwt_svid_ttl',
  hint: 'hint',
  createdAt: 'created_at',
  additionalAttributes: 'additional_attributes',
};

export function maskToWire(mask: EntryMask): WireEntryMask {
  const out: WireEntryMask = {};
  for (const [key, field] of Object.entries(maskFieldOf) as [keyof EntryMask, EntryMaskField][]) out[field] = mask[key] === true;
  return out;
}

const matchToWire: Record<MatchBehavior, number> = {
  exact: WireMatch.EXACT, subset: WireMatch.SUBSET, superset: WireMatch.SUPERSET, any: WireMatch.ANY,
};

export function filterToWire(f: EntryFilter): WireEntryFilter {
  const out: WireEntryFilter = {};
  if (f.bySpiffeId !== undefined) out.by_spiffe_id = spiffeIdToWire(f.bySpiffeId);
  if (f.byParentId !== undefined) out.by_parent_id = spiffeIdToWire(f.byParentId);
  if (f.bySelectors) out.by_selectors = { selectors: f.bySelectors.selectors.map((s) => ({ ...s })), match: matchToWire[f.bySelectors.match] };
  if (f.byFederatesWith) out.by_federates_with = { trust_domains: [...f.byFederatesWith.trustDomains], match: matchToWire[f.byFederatesWith.match] };
  if (f.byHint !== undefined) out.by_hint = { value: f.byHint };
  if (f.byDownstream !== undefined) out.by_downstream = { value: f.byDownstream };
  return out;
}

export function statusFromWire(s: WireStatus | null | undefined): Status {
  return s ? { code: s.code, message: s.message } : { code: StatusCode.UNKNOWN, message: 'result without status' };
}

export function entryResultFromWire(r: EntryResultWire): EntryResult {
  return r.entry ? { status: statusFromWire(r.status), entry: entryFromWire(r.entry) } : { status: statusFromWire(r.status) };
}

// Validation of an entry on BatchCreateEntry and BatchUpdateEntry, in SPIRE's order and wording
// (docs/spire-entry-api.md 2.2, 2.4; SPIRE pkg/server/api/entry.go and the datastore's
// validateRegistrationEntry). Returns the first failure as a per-item Status, or the normalised fields.
import { StatusCode, type Status } from '../../handlers/entries/status-code.js';
import type { EntryMaskField, WireEntry, WireEntryMask } from '../spire/wire-types.js';
import { dnsNameError } from '../../handlers/entries/dns-name.js';
import { checkFederatedTrustDomain, checkMemberId, checkWorkloadId } from './id-rules.js';
import { status } from './rpc-error.js';
import { selectorsError } from './selector-rules.js';

export type Op = 'create' | 'update';

const invalid = (message: string): Status => status(StatusCode.INVALID_ARGUMENT, message);
const ENTRY_ID = /^[A-Za-z0-9._-]*$/;

/** Whether a field takes part: every field on create and on a full-replace update (null mask). */
export function inMask(mask: WireEntryMask | null | undefined, field: EntryMaskField): boolean {
  return !mask || mask[field] === true;
}

/** The conversion checks (steps 1-6); on success, federates_with comes back as bare, de-duplicated names. */
export function convertEntry(e: WireEntry, td: string, mask: WireEntryMask | null | undefined):
  { ok: true; federatesWith: string[] } | { ok: false; status: Status } {
  const fail = (why: string) => ({ ok: false as const, status: invalid(`failed to convert entry: ${why}`) });
  if (inMask(mask, 'parent_id')) {
    const p = checkMemberId(e.parent_id, td);
    if (!p.ok) return fail(`invalid parent ID: ${p.error}`);
  }
  if (inMask(mask, 'spiffe_id')) {
    const s = checkWorkloadId(e.spiffe_id, td);
    if (!s.ok) return fail(`invalid spiffe ID: ${s.error}`);
  }
  if (inMask(mask, 'dns_names')) {
    for (const name of e.dns_names) {
      const err = dnsNameError(name);
      if (err) return fail(`invalid DNS name: ${err}`);
    }
  }
  const federatesWith: string[] = [];
  if (inMask(mask, 'federates_with')) {
    for (const value of e.federates_with) {
      const td2 = checkFederatedTrustDomain(value);
      if (!td2.ok) return fail(`invalid federated trust domain: ${td2.error}`);
      if (!federatesWith.includes(td2.name)) federatesWith.push(td2.name);
    }
  }
  if (inMask(mask, 'selectors')) {
    const err = selectorsError(e.selectors);
    if (err) return fail(err);
  }
  if (inMask(mask, 'hint') && Buffer.byteLength(e.hint) > 1024) return fail('hint is too long, max length is 1024 characters');
  return { ok: true, federatesWith };
}

/** The datastore's own checks (step 7), run on the entry as it would be stored. */
export function datastoreError(stored: WireEntry, op: Op): Status | undefined {
  const fail = (why: string) => invalid(`failed to ${op} entry: datastore-validation: invalid registration entry: ${why}`);
  if (stored.store_svid) {
    const first = stored.selectors[0]?.type;
    if (stored.selectors.some((s) => s.type !== first)) return fail('selector types must be the same when store SVID is enabled');
    if (stored.additional_attributes?.disable_x509_svid_prefetch) return fail('disable_x509_svid_prefetch is not allowed when store SVID is enabled');
  }
  if (op === 'create') {
    if (stored.id.length > 255) return fail('entry ID too long');
    if (!ENTRY_ID.test(stored.id)) return fail('entry ID contains invalid characters');
  }
  if (stored.x509_svid_ttl < 0) return fail('X509SvidTtl is not set');
  if (stored.jwt_svid_ttl < 0) return fail('JwtSvidTtl is not set');
  return undefined;
}

/** Duplicates inside one entry violate the datastore's unique indexes: ALREADY_EXISTS without an entry. */
export function duplicateError(stored: WireEntry, op: Op): Status | undefined {
  const sql = (what: string) => status(StatusCode.ALREADY_EXISTS, `failed to ${op} entry: datastore-sql: UNIQUE constraint failed: ${what}`);
  const selectorKeys = stored.selectors.map((s) => `${s.type}\n${s.value}`);
  if (new Set(selectorKeys).size !== selectorKeys.length) return sql('selectors.registered_entry_id, selectors.type, selectors.value');
  if (new Set(stored.dns_names).size !== stored.dns_names.length) return sql('dns_names.registered_entry_id, dns_names.value');
  return undefined;
}

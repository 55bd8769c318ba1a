// output_mask (docs/spire-entry-api.md 2.7): null keeps every field; otherwise only the fields
// marked true survive, plus `id`, and the rest take their zero value.
import { entryMaskFields, type WireEntry, type WireEntryMask } from '../spire/wire-types.js';

const zero: Omit<WireEntry, 'id'> = {
  spiffe_id: null, parent_id: null, selectors: [], x509_svid_ttl: 0, federates_with: [], admin: false, downstream: false,
  expires_at: 0, dns_names: [], revision_number: 0, store_svid: false, jwt_svid_ttl: 0, hint: '', created_at: 0,
  additional_attributes: null,
};

/** A deep copy with the mask applied, safe to hand out. */
export function applyOutputMask(e: WireEntry, mask: WireEntryMask | null | undefined): WireEntry {
  const copy = cloneEntry(e);
  if (!mask) return copy;
  const out: Record<string, unknown> = { ...zero, id: copy.id };
  for (const field of entryMaskFields) if (mask[field] === true) out[field] = copy[field];
  return out as WireEntry;
}

export function cloneEntry(e: WireEntry): WireEntry {
  return {
    ...e,
    spiffe_id: e.spiffe_id ? { ...e.spiffe_id } : null,
    parent_id: e.parent_id ? { ...e.parent_id } : null,
    selectors: e.selectors.map((s) => ({ ...s })),
    federates_with: [...e.federates_with],
    dns_names: [...e.dns_names],
    additional_attributes: e.additional_attributes ? { ...e.additional_attributes } : null,
  };
}

import { newEntry, type Entry } from '../entries/entry.js';
import { parseTrustDomain } from '../entries/spiffe-id.js';
import { spiffeIdSelectors } from './selectors.js';
import type { SpiffeId } from './spiffeid.js';

/** The SPIRE entry a (validated) SpiffeID declares. The ID is left empty: the caller decides create or update. */
export function spiffeIdEntry(s: Pick<SpiffeId, 'spec'>): Entry {
  return newEntry({
    spiffeId: s.spec.spiffeId,
    parentId: s.spec.parentId,
    selectors: spiffeIdSelectors(s.spec.selector),
    dnsNames: [...(s.spec.dnsNames ?? [])],
    // SPIRE answers with bare names; `spiffe://td` is accepted on input, so normalise to compare.
    federatesWith: (s.spec.federatesWith ?? []).map((td) => {
      const parsed = parseTrustDomain(td);
      return parsed.ok ? parsed.value : td;
    }),
    downstream: s.spec.downstream,
  });
}

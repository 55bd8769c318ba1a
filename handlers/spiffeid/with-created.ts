import { spiffeIdKey, type SpiffeId } from './spiffeid.js';

/**
 * The SpiffeIDs a pass plans entries from: the informer's view plus those the pass itself just created,
 * as the API server answered the create (UID, resourceVersion, finalizers), so a new SpiffeID gets its
 * entry in the pass that made it instead of the next one, after the watch brought it back. Only objects
 * the registrar made are added (the caller passes its own create results), and each is the object the
 * API server stored, so its UID, and with it the entry ID (entry-ownership.ts), is the server's.
 * Where the informer already holds an object of that namespace/name, its copy is kept: it has caught up.
 */
export function withCreated(observed: readonly SpiffeId[], created: readonly SpiffeId[]): readonly SpiffeId[] {
  if (created.length === 0) return observed;
  const known = new Set(observed.map(spiffeIdKey));
  const fresh = created.filter((s) => s.metadata.uid !== '' && !known.has(spiffeIdKey(s)));
  return fresh.length === 0 ? observed : [...observed, ...fresh];
}

import { spiffeIdKey, type SpiffeId } from './spiffeid.js';

/**
 * The SpiffeIDs a pass plans entries from: the informer's view plus those the pass itself just created,
 * as the API server answered the create (UID, resourceVersion, finalizers), so a new SpiffeID gets its
 * entry in the pass that made it instead of the next one, after the watch brought it back. Only objects
 * the registrar made are added (the caller passes its own create results), and each is the object the
 * API server stored, so its UID, and with it the entry ID (entry-ownership.ts), is the server's.
 * Where the informer already holds an object of that namespace/name, its copy is kept: it has caught up.
 * @param key spiffeIdKey, or a memo of it.
 */
export function withCreated(
  observed: readonly SpiffeId[],
  created: readonly SpiffeId[],
  key: (s: SpiffeId) => string = spiffeIdKey,
): readonly SpiffeId[] {
  if (created.length === 0) return observed;
  // The names of the created objects the informer already shows (a set as small as `created`).
  const createdKeys = new Set(created.map(key));
  const shown = new Set<string>();
  for (const s of observed) {
    const k = key(s);
    if (createdKeys.has(k)) shown.add(k);
  }
  const fresh = created.filter((s) => s.metadata.uid !== '' && !shown.has(key(s)));
  return fresh.length === 0 ? observed : [...observed, ...fresh];
}

import type { Entry } from './entry.js';
import { formatSelector, selectorSet } from './selectors.js';

/**
 * SPIRE's uniqueness tuple: SPIFFE ID, parent ID and the selector *set*. Two entries with the same key
 * are "similar" (BatchCreateEntry answers ALREADY_EXISTS); every other field is updatable in place.
 * Ref: docs/spire-entry-api.md 2.3; spire-controller-manager makeEntryKey.
 */
export function entryKey(e: Pick<Entry, 'spiffeId' | 'parentId' | 'selectors'>): string {
  return [e.spiffeId, e.parentId, ...selectorSet(e.selectors).map(formatSelector)].join('\n');
}

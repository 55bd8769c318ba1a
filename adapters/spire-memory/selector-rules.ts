// Selector checks shared by entries and filters (docs/spire-entry-api.md 2.2 step 5): no check
// against known plugins and no trimming; a value may contain ':'.
import type { WireSelector } from '../spire/wire-types.js';

export function selectorError(s: WireSelector): string | undefined {
  if (s.type === '') return 'missing selector type';
  if (s.type.includes(':')) return 'selector type contains \':\'';
  if (s.value === '') return 'missing selector value';
  return undefined;
}

export function selectorsError(selectors: readonly WireSelector[]): string | undefined {
  if (selectors.length === 0) return 'selector list is empty';
  for (const s of selectors) {
    const err = selectorError(s);
    if (err) return err;
  }
  return undefined;
}

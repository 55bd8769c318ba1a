import type { Selector } from './entry.js';

export function selector(type: string, value: string): Selector {
  return { type, value };
}

/** `type:value`, the form SPIRE's CLI and logs use. */
export function formatSelector(s: Selector): string {
  return `${s.type}:${s.value}`;
}

/** Splits at the first `:`: the type cannot contain one, the value may (`k8s:pod-label:app:web`). */
export function parseSelector(text: string): Selector | undefined {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return undefined;
  return { type: text.slice(0, i), value: text.slice(i + 1) };
}

export function compareSelectors(a: Selector, b: Selector): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return 0;
}

/** Sorted, de-duplicated copy: SPIRE treats an entry's selectors as a set. */
export function selectorSet(selectors: readonly Selector[]): Selector[] {
  const sorted = [...selectors].sort(compareSelectors);
  return sorted.filter((s, i) => i === 0 || compareSelectors(s, sorted[i - 1] as Selector) !== 0);
}

export function sameSelectorSet(a: readonly Selector[], b: readonly Selector[]): boolean {
  const x = selectorSet(a);
  const y = selectorSet(b);
  return x.length === y.length && x.every((s, i) => compareSelectors(s, y[i] as Selector) === 0);
}

// Informer projections keep only the labels and annotations the handlers read (the configured ones), so
// other metadata churn causes no events; this is the one helper every mode's projection uses for that.

/** The entries of `from` whose key is one of `keys` (undefined keys, unset config, are skipped). */
export function pickKeys(from: Readonly<Record<string, string>> | null | undefined, keys: readonly (string | undefined)[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (k !== undefined && from?.[k] !== undefined ? [[k, from[k]]] : [])));
}

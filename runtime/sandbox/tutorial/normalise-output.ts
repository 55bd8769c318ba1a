// Makes the tour's output reproducible for docs/tutorial.md. What a run cannot repeat is replaced:
// UUIDs (pod UIDs come from the API server; entry IDs depend on which entry was created first) become
// stable stand-ins in order of first appearance, log times one fixed time, AGE cells a fixed age, and
// grep'd log lines are sorted by SPIFFE ID (passes may create entries in a different order).
import { createIdSource } from '../seeded-ids.js';
import { tabulate } from '../tour/kubectl-lite.js';
import { tabwriter } from '../tour/kubectl-describe.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
export const DOC_TIME = '2026-01-01T12:00:00Z';
export const DOC_AGE = '12s';
/** Stand-in for resourceVersions, which depend on how many writes a run happened to make. */
export const DOC_RESOURCE_VERSION = '1234';

export type UuidMap = { readonly map: (text: string) => string };

/** One mapping per document, so that the same UUID reads the same in every block. */
export function uuidMap(seed: number): UuidMap {
  const ids = createIdSource(seed);
  const seen = new Map<string, string>();
  return {
    map: (text) =>
      text.replace(UUID, (u) => {
        let v = seen.get(u);
        if (v === undefined) seen.set(u, (v = ids.uuid()));
        return v;
      }),
  };
}

export function normaliseLogTimes(text: string): string {
  return text.replace(/time="[^"]*"/g, `time="${DOC_TIME}"`);
}

export function sortLogLines(text: string): string {
  const key = (line: string) => /spiffe_id="?([^"\s]*)/.exec(line)?.[1] ?? line;
  return text
    .split('\n')
    .sort((a, b) => key(a).localeCompare(key(b)) || a.localeCompare(b))
    .join('\n');
}

/** Replaces the AGE (or LAST SEEN) column of a kubectl table with a fixed age and lays the table out again. */
export function normaliseAges(table: string): string {
  const lines = table.split('\n');
  const header = lines[0] ?? '';
  // Columns start where the header has text after at least two spaces (names like "SPIFFE ID" have one).
  const starts = [0, ...[...header.matchAll(/ {2,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length)];
  const cells = lines.map((line) => starts.map((s, i) => line.slice(s, starts[i + 1]).trim()));
  const age = [cells[0]!.indexOf('AGE'), cells[0]!.indexOf('LAST SEEN')].find((i) => i >= 0) ?? -1;
  if (age < 0) return table;
  return tabulate(cells.map((row, i) => (i === 0 ? row : row.map((c, j) => (j === age ? DOC_AGE : c)))));
}

/** `kubectl describe`: times, the resourceVersion and the Events' ages become fixed stand-ins. */
export function normaliseDescribe(text: string): string {
  const fixed = text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, DOC_TIME)
    .replace(/^( *Resource Version: +)\d+$/m, `$1${DOC_RESOURCE_VERSION}`);
  const at = fixed.indexOf('\nEvents:\n');
  if (at < 0) return fixed;
  const [head, ...rows] = fixed.slice(at + '\nEvents:\n'.length).split('\n').map((l) => l.trim().split(/ {2,}/));
  const aged = rows.map((r, i) => (i === 0 ? r : r.map((c, j) => (j === 2 ? c.replace(/\b\d+[smhdy](\d+[smh])?\b/g, DOC_AGE) : c))));
  return `${fixed.slice(0, at)}\nEvents:\n${tabwriter([head!, ...aged].map((r) => `  ${r.join('\t')}`))}`;
}

// Makes the tour's output reproducible for docs/tutorial.md. What a run cannot repeat is replaced:
// UUIDs (pod UIDs come from the API server; entry IDs depend on which entry was created first) become
// stable stand-ins in order of first appearance, log times one fixed time, AGE cells a fixed age, and
// grep'd log lines are sorted by SPIFFE ID (passes may create entries in a different order).
import { createIdSource } from '../seeded-ids.js';
import { tabulate } from '../tour/kubectl-lite.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
export const DOC_TIME = '2026-01-01T12:00:00Z';
export const DOC_AGE = '12s';

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

/** Replaces the AGE column of a kubectl table with a fixed age and lays the table out again. */
export function normaliseAges(table: string): string {
  const lines = table.split('\n');
  const header = lines[0] ?? '';
  // Columns start where the header has text after at least two spaces (names like "SPIFFE ID" have one).
  const starts = [0, ...[...header.matchAll(/ {2,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length)];
  const cells = lines.map((line) => starts.map((s, i) => line.slice(s, starts[i + 1]).trim()));
  const age = cells[0]!.indexOf('AGE');
  if (age < 0) return table;
  return tabulate(cells.map((row, i) => (i === 0 ? row : row.map((c, j) => (j === age ? DOC_AGE : c)))));
}

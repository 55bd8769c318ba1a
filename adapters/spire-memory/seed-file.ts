// The dev server's seed and dump files: `{ "entries": [Entry, ...] }` in the registrar's own Entry shape
// (camelCase, canonical SPIFFE ID strings), so a dump can be read, edited and seeded again.
import { readFile, writeFile } from 'node:fs/promises';
import * as v from 'valibot';
import { type Entry, newEntry } from '../../handlers/entries/entry.js';

const SelectorSchema = v.object({ type: v.string(), value: v.string() });
const SeedEntrySchema = v.object({
  id: v.optional(v.string()),
  spiffeId: v.string(),
  parentId: v.string(),
  selectors: v.array(SelectorSchema),
  x509SvidTtl: v.optional(v.number()),
  jwtSvidTtl: v.optional(v.number()),
  federatesWith: v.optional(v.array(v.string())),
  admin: v.optional(v.boolean()),
  downstream: v.optional(v.boolean()),
  expiresAt: v.optional(v.number()),
  dnsNames: v.optional(v.array(v.string())),
  revisionNumber: v.optional(v.number()),
  storeSvid: v.optional(v.boolean()),
  hint: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  additionalAttributes: v.optional(v.object({ disableX509SvidPrefetch: v.boolean(), jwtSvidIncludeJti: v.boolean() })),
});
const SeedFileSchema = v.object({ entries: v.array(SeedEntrySchema) });

export async function readSeedFile(path: string): Promise<Entry[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new Error(`read seed file ${path}`, { cause });
  }
  const parsed = v.safeParse(SeedFileSchema, raw);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ');
    throw new Error(`seed file ${path} is invalid: ${issues}`);
  }
  return parsed.output.entries.map((e) => newEntry(e));
}

export async function writeDumpFile(path: string, entries: readonly Entry[]): Promise<void> {
  await writeFile(path, `${JSON.stringify({ entries }, null, 2)}\n`);
}

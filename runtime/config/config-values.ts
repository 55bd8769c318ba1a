// Reads one HCL value as the kind its key expects (config-keys.ts), with valibot. The coercions are the
// ones the original's HCL v1 decoder made (hashicorp/hcl decoder.go: decodeString takes numbers and
// bools as their text; decodeBool takes true/false/1/0, quoted or not, any case; decodeInt takes a quoted
// number), so configs that worked there keep working. Anything else is a type error.
import * as v from 'valibot';
import type { KeyKind } from './config-keys.js';
import { parseGoDuration } from './go-duration.js';
import { quoteInput } from '../../handlers/text/quote-input.js';

export type ValueResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const str = v.union([v.string(), v.pipe(v.union([v.number(), v.boolean()]), v.transform(String))]);
const stringMap = v.record(v.string(), str);
const boolText = v.pipe(
  v.union([v.string(), v.picklist([0, 1])]),
  v.transform((x) => String(x).toLowerCase()),
  v.picklist(['true', 'false', '1', '0']),
  v.transform((x) => x === 'true' || x === '1'),
);

const schemas = {
  string: str,
  name: v.string(),
  bool: v.union([v.boolean(), boolText]),
  int: v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.regex(/^[+-]?\d+$/), v.transform(Number))]),
  stringList: v.array(str),
  // Block syntax `context { A = "b" }` arrives as [{ A: 'b' }]; `context = { ... }` as an object. Two
  // blocks are refused (readValue): which one wins for a key both set would be a guess.
  stringMap: v.union([stringMap, v.pipe(v.tuple([stringMap]), v.transform((maps) => maps[0]))]),
  duration: v.pipe(
    v.string(),
    v.transform(parseGoDuration),
    v.check((ms) => ms !== undefined),
  ),
} as const satisfies Record<KeyKind, v.GenericSchema>;

export const expectedType: Readonly<Record<KeyKind, string>> = {
  string: 'a string',
  name: 'a string (in double quotes)',
  bool: 'a bool (true or false)',
  int: 'a whole number',
  stringList: 'a list of strings',
  stringMap: 'a map of strings (context { Key = "value" })',
  duration: 'a duration such as "10s" or "1m30s"',
};

export function readValue(kind: KeyKind, raw: unknown): ValueResult {
  const expression = findExpression(raw);
  if (expression !== undefined) {
    return { ok: false, message: `expected ${expectedType[kind]}, got the unquoted expression ${expression} (strings need double quotes)` };
  }
  if (kind === 'stringMap' && Array.isArray(raw) && raw.length > 1) {
    return { ok: false, message: `given as ${raw.length} blocks, which would be merged ambiguously; write one block` };
  }
  const r = v.safeParse(schemas[kind], raw);
  return r.success ? { ok: true, value: r.output } : { ok: false, message: `expected ${expectedType[kind]}, got ${describe(raw)}` };
}

/** The HCL bridge turns `key = word` and `key = 1 + 2` into "${word}"-style strings. */
function findExpression(raw: unknown): string | undefined {
  if (typeof raw === 'string') {
    const m = /^\$\{([\s\S]*)\}$/.exec(raw);
    return m ? m[1] : undefined;
  }
  if (Array.isArray(raw)) return raw.map(findExpression).find((e) => e !== undefined);
  if (raw !== null && typeof raw === 'object') return Object.values(raw).map(findExpression).find((e) => e !== undefined);
  return undefined;
}

export function describe(raw: unknown): string {
  if (raw === null || raw === undefined) return 'null';
  if (typeof raw === 'string') return `string ${quoteInput(raw)}`;
  if (typeof raw === 'number') return `number ${raw}`;
  if (typeof raw === 'boolean') return `bool ${raw}`;
  if (Array.isArray(raw)) {
    if (raw.length > 0 && raw.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const inner = raw.map((x) => describe(x)).find((d) => d !== 'a map');
      return inner === undefined ? 'a block' : inner.replace(/^a map/, 'a block');
    }
    const bad = raw.find((x) => !isScalar(x));
    return bad === undefined ? 'a list' : `a list containing ${describe(bad)}`;
  }
  const bad = Object.entries(raw as Record<string, unknown>).find(([, x]) => !isScalar(x));
  return bad === undefined ? 'a map' : `a map whose ${JSON.stringify(bad[0])} is ${describe(bad[1])}`;
}

function isScalar(x: unknown): boolean {
  return typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
}

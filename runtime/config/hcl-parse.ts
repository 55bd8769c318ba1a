// HCL text -> plain JSON value, through HashiCorp's own HCL parser (compiled to WebAssembly by
// @cdktn/hcl2json). Blocks become arrays of objects (`context { A = "b" }` -> `context: [{ A: 'b' }]`)
// and expressions such as a bare word become "${...}" strings; parse-config.ts deals with both.
import { parse } from '@cdktn/hcl2json';

export type HclResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly problems: string[] };

export async function parseHcl(text: string, filename: string): Promise<HclResult> {
  try {
    const body: unknown = await parse(filename, text);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problems: [`${filename}: not an HCL body`] };
    return { ok: true, body: body as Record<string, unknown> };
  } catch (err) {
    return { ok: false, problems: hclDiagnostics(err instanceof Error ? err.message : String(err), filename) };
  }
}

/**
 * The parser reports `parse config: [f.conf:1,7-2,1: Summary; Detail. f.conf:3,1-4: ...]`; split that
 * into one problem per diagnostic, each starting with `file:line:column:`.
 */
export function hclDiagnostics(message: string, filename: string): string[] {
  const inner = message.replace(/^(Error: )?parse config: \[/, '').replace(/\]$/, '');
  const pos = new RegExp(`${escapeRegExp(filename)}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `, 'g');
  const starts = [...inner.matchAll(pos)];
  if (starts.length === 0) return [`${filename}: ${inner}`];
  return starts.map((m, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1] as RegExpMatchArray).index : inner.length;
    const text = inner.slice((m.index as number) + m[0].length, end).trim();
    return `${filename}:${m[1]}:${m[2]}: ${text}`;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

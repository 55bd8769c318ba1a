// Label and field selectors as the API server parses them from ?labelSelector= and ?fieldSelector=.
import type { KubeObject } from './types.js';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export type FieldRequirement = { path: string; op: '=' | '!='; value: string };

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; a string result is the error message. */
export function parseLabelSelector(text: string): LabelRequirement[] | string {
  const out: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const s = part.trim();
    if (s === '') continue;
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(s);
    if (m) {
      out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((x) => x.trim()).filter((x) => x !== '') });
      continue;
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(s);
    if (m) {
      out.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
      continue;
    }
    m = /^(!?)([\w./-]+)$/.exec(s);
    if (m) {
      out.push({ key: m[2]!, op: m[1] === '!' ? 'doesnotexist' : 'exists' });
      continue;
    }
    return `unable to parse requirement: ${s}`;
  }
  return out;
}

export function matchesLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const r of reqs) {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'exists': if (value === undefined) return false; break;
      case 'doesnotexist': if (value !== undefined) return false; break;
      case 'in': if (value === undefined || !r.values.includes(value)) return false; break;
      case 'notin': if (value !== undefined && r.values.includes(value)) return false; break;
    }
  }
  return true;
}

/** Parses `metadata.name=x,spec.nodeName!=y`; any dotted path of the object may be used. */
export function parseFieldSelector(text: string): FieldRequirement[] | string {
  const out: FieldRequirement[] = [];
  for (const part of text.split(',')) {
    const s = part.trim();
    if (s === '') continue;
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(s);
    if (!m) return `invalid selector: '${s}'; can't understand '${s}'`;
    out.push({ path: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() });
  }
  return out;
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const actual = fieldValue(obj, r.path);
    if ((actual === r.value) !== (r.op === '=')) return false;
  }
  return true;
}

/** A field's value as a selector compares it: missing fields and null compare as the empty string. */
function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

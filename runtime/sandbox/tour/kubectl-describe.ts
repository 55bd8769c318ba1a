// What `kubectl describe <custom resource>` prints (kubectl's generic describer: Name, Namespace, Labels,
// Annotations, then every field with camelCase turned into words, then the object's Events), laid out
// as Go's tabwriter does with kubectl's settings (padding 2). Ref: k8s.io/kubectl pkg/describe
// (GenericDescriberFor, printUnstructuredContent, smartLabelFor, DescribeEvents). Pure text.
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { humanDuration } from '../../../adapters/kube-fake/table.js';

/** A core v1 Event as the API server serves it (the fields describe shows). */
export type CoreEvent = {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly eventTime?: string | null;
  readonly firstTimestamp?: string | null;
  readonly lastTimestamp?: string | null;
  readonly count?: number;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
  readonly source?: { readonly component?: string };
  readonly reportingComponent?: string;
};

const SKIP = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

export function describeObject(obj: KubeObject, events: readonly CoreEvent[], now: number): string {
  const lines: string[] = [`Name:\t${obj.metadata.name ?? ''}`, `Namespace:\t${obj.metadata.namespace ?? ''}`];
  multiline(lines, 'Labels', Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).sort());
  multiline(lines, 'Annotations', Object.entries(obj.metadata.annotations ?? {}).map(([k, v]) => `${k}: ${v}`).sort());
  content(lines, 0, obj as Record<string, unknown>, '');
  const main = tabwriter(lines);
  return `${main}\n${tabwriter(eventLines(events, now))}`;
}

function multiline(lines: string[], title: string, items: readonly string[]): void {
  if (items.length === 0) {
    lines.push(`${title}:\t<none>`);
    return;
  }
  lines.push(`${title}:\t${items[0]}`);
  for (const item of items.slice(1)) lines.push(`\t${item}`);
}

function content(lines: string[], level: number, obj: Record<string, unknown>, prefix: string): void {
  const indent = '  '.repeat(level);
  for (const field of Object.keys(obj).sort()) {
    const path = `${prefix}.${field}`;
    if (SKIP.has(path)) continue;
    const value = obj[field];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      lines.push(`${indent}${smartLabel(field)}:`);
      content(lines, level + 1, value as Record<string, unknown>, path);
    } else if (Array.isArray(value)) {
      lines.push(`${indent}${smartLabel(field)}:`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) content(lines, level + 1, child as Record<string, unknown>, path);
        else lines.push(`${indent}  ${goValue(child)}`);
      }
    } else {
      lines.push(`${indent}${smartLabel(field)}:\t${goValue(value)}`);
    }
  }
}

/** fmt's %v of a JSON scalar. */
function goValue(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : String(v);
}

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** `creationTimestamp` -> `Creation Timestamp`, `uid` -> `UID`; names with other than letters and '-' as they are. */
export function smartLabel(field: string): string {
  if (/[^A-Za-z-]/.test(field)) return field;
  const parts = field.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|-/g) ?? [field];
  return parts.map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1))).join(' ');
}

function eventLines(events: readonly CoreEvent[], now: number): string[] {
  if (events.length === 0) return ['Events:\t<none>'];
  const since = (ts: string | null | undefined) => (ts ? humanDuration(now - Date.parse(ts)) : '<unknown>');
  const last = (e: CoreEvent) => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? '';
  const rows = [...events].sort((a, b) => Date.parse(last(a)) - Date.parse(last(b))).map((e) => {
    const first = e.eventTime ? since(e.eventTime) : since(e.firstTimestamp);
    const interval = e.series
      ? `${since(e.series.lastObservedTime)} (x${e.series.count ?? 0} over ${first})`
      : (e.count ?? 0) > 1
        ? `${since(e.lastTimestamp)} (x${e.count} over ${first})`
        : first;
    const from = e.source?.component || e.reportingComponent || '';
    return `  ${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${from}\t${(e.message ?? '').trim()}`;
  });
  return ['Events:', '  Type\tReason\tAge\tFrom\tMessage', '  ----\t------\t----\t----\t-------', ...rows];
}

/** Go's text/tabwriter (minwidth 0, padding 2, spaces): consecutive lines with cells align column by column. */
export function tabwriter(lines: readonly string[]): string {
  const out: string[] = [];
  let block: string[][] = [];
  const flush = () => {
    const widths: number[] = [];
    for (const cells of block) cells.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
    for (const cells of block) out.push(cells.map((c, i) => (i < cells.length - 1 ? c.padEnd((widths[i] ?? 0) + 2) : c)).join(''));
    block = [];
  };
  for (const line of lines) {
    if (line.includes('\t')) block.push(line.split('\t'));
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}

// Prints a scenario's numbers as a small table and writes them to bench/results/<scenario>.json, with the
// machine they ran on, so runs can be compared.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Row = Readonly<Record<string, string | number | boolean>>;

export type ScenarioResult = {
  readonly scenario: string;
  readonly params: Readonly<Record<string, number>>;
  /** One row per measured case; the table prints these. */
  readonly rows: readonly Row[];
  /** Anything else worth keeping (calls by method, notes). */
  readonly details?: Readonly<Record<string, unknown>>;
};

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function formatTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** The rows as a Markdown table (for bench/README.md). */
export function markdownTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`)].join('\n');
}

/** Prints the table and writes the JSON; `dir` defaults to bench/results. Returns the file written. */
export async function report(result: ScenarioResult, opts: { dir?: string; quiet?: boolean } = {}): Promise<string> {
  const dir = opts.dir ?? resultsDir;
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${result.scenario}.json`);
  const doc = { ...result, machine: machine(), finishedAt: new Date().toISOString() };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
  if (!opts.quiet) process.stdout.write(`\n== ${result.scenario} ${JSON.stringify(result.params)}\n${formatTable(result.rows)}\n-> ${file}\n`);
  return file;
}

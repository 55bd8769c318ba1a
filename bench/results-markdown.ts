// Prints bench/results/*.json as Markdown tables, for pasting the latest numbers into bench/README.md:
//   node --import tsx bench/results-markdown.ts
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resultsDir, type Row } from './lib/report.js';

function markdown(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`)].join('\n');
}

for (const scenario of ['cold-start', 'restart', 'churn', 'webhook']) {
  const doc = JSON.parse(await readFile(join(resultsDir, `${scenario}.json`), 'utf8')) as { params: object; rows: Row[]; finishedAt: string; machine: object };
  process.stdout.write(`### ${scenario} \`${JSON.stringify(doc.params)}\`\n\n${markdown(doc.rows)}\n\n`);
}

// Prints bench/results/*.json as Markdown tables, for pasting the latest numbers into bench/README.md:
//   node --import tsx bench/results-markdown.ts
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, resultsDir, type Row } from './lib/report.js';

for (const scenario of ['cold-start', 'restart', 'churn', 'churn-crd', 'webhook', 'scale']) {
  let text: string;
  try {
    text = await readFile(join(resultsDir, `${scenario}.json`), 'utf8');
  } catch {
    continue; // not run yet
  }
  const doc = JSON.parse(text) as { params: object; rows: Row[] };
  process.stdout.write(`### ${scenario} \`${JSON.stringify(doc.params)}\`\n\n${markdownTable(doc.rows)}\n\n`);
}

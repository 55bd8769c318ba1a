// `npm run docs:tutorial`: regenerates docs/tutorial.md. With --check, only compares and exits 1 if the
// committed document differs from what the tour prints now.
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { generateTutorial, TUTORIAL_PATH } from './generate-tutorial.js';

const check = process.argv.includes('--check');
const text = await generateTutorial();
const where = relative(process.cwd(), TUTORIAL_PATH);
if (check) {
  const committed = await readFile(TUTORIAL_PATH, 'utf8').catch(() => '');
  if (committed !== text) {
    process.stderr.write(`${where} is out of date: run npm run docs:tutorial\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${where} is up to date\n`);
  }
} else {
  await writeFile(TUTORIAL_PATH, text);
  process.stdout.write(`wrote ${where}\n`);
}

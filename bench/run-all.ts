// `npm run bench`: every scenario at its default size, one after another, each writing
// bench/results/<scenario>.json. Flags go to every scenario that knows them (e.g. --pods=2000).
import { performance } from 'node:perf_hooks';
import { parseArgs } from './lib/args.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { churn, churnDefaults } from './churn.js';
import { coldStart, coldStartDefaults } from './cold-start.js';
import { faults, faultsDefaults } from './faults.js';
import { restart, restartDefaults } from './restart.js';
import { slowLoris, slowLorisDefaults } from './slow-loris.js';
import { webhook, webhookDefaults } from './webhook.js';

const all = { ...coldStartDefaults, ...restartDefaults, ...churnDefaults, ...webhookDefaults, ...faultsDefaults, ...slowLorisDefaults };

/** The scenario's defaults, overridden by the flags given on the command line. */
function sizes<T extends Record<string, number>>(defaults: T, given: Readonly<Record<string, number>>): T {
  const out: Record<string, number> = { ...defaults };
  for (const k of Object.keys(defaults)) {
    const v = given[k];
    if (v !== undefined && v >= 0) out[k] = v;
  }
  return out as T;
}

runIfMain(import.meta.url, async (argv) => {
  // -1 marks "not given", so that each scenario keeps its own default for a flag it shares with another.
  const given: Record<string, number> = parseArgs(argv, Object.fromEntries(Object.keys(all).map((k) => [k, -1])));
  const started = performance.now();
  const o = registrarNodeArgs();
  await coldStart(sizes(coldStartDefaults, given), o);
  await restart(sizes(restartDefaults, given), o);
  await churn(sizes(churnDefaults, given), o);
  await webhook(sizes(webhookDefaults, given), o);
  await faults(sizes(faultsDefaults, given), o);
  await slowLoris(sizes(slowLorisDefaults, given), o);
  process.stdout.write(`\nall scenarios in ${Math.round((performance.now() - started) / 1000)} s\n`);
});

// Keeps bench:scale's webhook rows from rotting (bench/scale-webhook.ts): at a tiny size the npm binary in
// webhook mode with webhook_resync converges, runs its upkeep passes without writing, and a restart finds
// SPIRE in sync; the admission-load row runs bench/webhook.ts's fixed-rate row. No performance thresholds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { webhookAdmissionLoad, webhookAt } from '../../bench/scale-webhook.js';

function childRegistrars(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /k8s-workload-registrar|runtime\/cli\.js/.test(l));
  } catch {
    return []; // ps exits 1 when there are no children
  }
}

test('webhook_resync at a tiny size: cold start to every entry, upkeep passes, restart in sync', async () => {
  const rows = await webhookAt(30, 3, { webhookPasses: 2, webhookResyncS: 1, timeoutS: 60 }, { quiet: true });
  assert.deepEqual(rows.map((r) => r.phase), ['cold', 'upkeep x2', 'restart']);
  const [cold, upkeep, restart] = rows;
  // The node entry at start-up, the first pass's node-entry check (ALREADY_EXISTS), then the 30 pod
  // entries in one batch; the listing of an empty server is one call.
  assert.equal(cold?.['SPIRE calls'], 'list=1 create=3');
  // In sync afterwards: node-entry checks and listings only, no pod entry updated or deleted.
  assert.match(String(upkeep?.['SPIRE calls']), /^list=\d+ create=\d+$/);
  assert.match(String(restart?.['SPIRE calls']), /^list=\d+ create=\d+$/);
  for (const r of rows) assert.ok(Number(r['peak RSS MiB']) > 0);
  assert.deepEqual(childRegistrars(), []);
});

test('the admission-load row: every admission answered, the registrar peak RSS reported', async () => {
  const row = await webhookAdmissionLoad(1, { quiet: true });
  assert.equal(row.errors, 0);
  assert.ok(Number(row['peak RSS MiB']) > 0);
  assert.deepEqual(childRegistrars(), []);
});

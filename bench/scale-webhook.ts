// bench:scale's webhook rows: the npm binary in webhook mode with `webhook_resync = true` against the
// fake API server's pods (nodes = pods/20), measured from outside like the other modes.
// - cold: spawn to "SPIRE holds exactly the cluster node entry and every pod entry the start-up catch-up
//   should make" (rendered by the pure handler, as faults.ts does), peak RSS (VmHWM), CPU, SPIRE calls.
// - upkeep: the same process `passes` upkeep passes later (one per `resync_interval`, each a paged listing
//   of the entries under the cluster node entry and a plan against the pods cache): peak RSS so far, RSS
//   now, CPU and SPIRE calls of those passes (0 writes when nothing changed).
// - restart: a second process against the converged world, spawn to the end of its first catch-up.
// - admissions (separately, `--admissions=1`): bench/webhook.ts's 500/s row for 30 s (15,000 admissions,
//   no pods informer), whose registrar peak RSS that scenario keeps in its details.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { webhookTls, type WebhookTls } from '../test/fixtures/webhook-tls.js';
import { entryKey } from '../handlers/entries/entry-key.js';
import type { Entry } from '../handlers/entries/entry.js';
import { PodSchema } from '../handlers/k8s/pod.js';
import { clusterNodeEntry } from '../handlers/webhook-node/cluster-node-entry.js';
import { webhookDeclaredEntries } from '../handlers/webhook-node/webhook-catch-up.js';
import { CLUSTER, heldKeys, startBenchWorld, TRUST_DOMAIN, type BenchWorld } from './lib/cluster.js';
import { startRegistrar, webhookHcl, type RegistrarProcess } from './lib/registrar-process.js';
import type { Row } from './lib/report.js';
import { callsText, entryCalls, writeCalls } from './lib/spire-state.js';
import { round } from './lib/stats.js';
import type { RunOptions } from './cold-start.js';
import { webhook } from './webhook.js';

export type WebhookScaleParams = {
  /** Upkeep passes measured after the cold start's catch-up. */
  readonly webhookPasses: number;
  /** resync_interval in seconds (the upkeep period). */
  readonly webhookResyncS: number;
  readonly timeoutS: number;
};

const CAUGHT_UP = 'Caught up pod entries';
const s = (ms: number) => round(ms / 1000, 2);

/** The entries webhook mode should hold for the world's pods: the cluster node entry and one per pod. */
export function expectedWebhookEntries(world: BenchWorld): Entry[] {
  const pods = world.kube.store.list('v1', 'Pod').map((p) => v.parse(PodSchema, p));
  const cfg = { trustDomain: TRUST_DOMAIN, cluster: CLUSTER, disabledNamespaces: ['kube-system', 'kube-public'] };
  return [clusterNodeEntry(cfg), ...webhookDeclaredEntries(pods, cfg).declared.map((d) => d.entry)];
}

function resyncHcl(world: BenchWorld, tls: WebhookTls, p: WebhookScaleParams): string {
  // debug: a catch-up that writes nothing logs its line at debug.
  const base = webhookHcl(world.spire.socketPath, tls).replace('log_level = "info"', 'log_level = "debug"');
  return `${base}webhook_resync = true\nresync_interval = "${p.webhookResyncS}s"\n`;
}

function start(world: BenchWorld, tls: WebhookTls, p: WebhookScaleParams, o: RunOptions, name: string): Promise<RegistrarProcess> {
  return startRegistrar({
    dir: world.dir,
    hcl: resyncHcl(world, tls, p),
    kubeconfig: (path) => world.kube.writeKubeconfig(path),
    watchMessages: [CAUGHT_UP],
    name,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
}

/** cold, upkeep and restart rows at `pods` pods. */
export async function webhookAt(pods: number, nodes: number, p: WebhookScaleParams, o: RunOptions): Promise<Row[]> {
  const world = await startBenchWorld({ nodes, pods });
  const base = (phase: string): Row => ({ pods, nodes, mode: 'webhook', phase });
  const timeoutMs = p.timeoutS * 1000;
  try {
    const tls = await webhookTls(world.dir);
    const want = expectedWebhookEntries(world);
    const wantKeys = new Set(want.map(entryKey));
    const converged = () => {
      if (world.tracker.count !== want.length) return false;
      const held = heldKeys(world);
      return held.size === wantKeys.size && [...wantKeys].every((k) => held.has(k));
    };
    const rows: Row[] = [];
    const reg = await start(world, tls, p, o, 'webhook-cold');
    try {
      const doneAt = await world.tracker.until(`${want.length} webhook entries`, converged, timeoutMs);
      const coldCalls = entryCalls(world);
      rows.push({
        ...base('cold'),
        seconds: s(doneAt - reg.spawnedAt),
        'peak RSS MiB': reg.peakRssMiB(),
        'RSS MiB': reg.rssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
        'SPIRE writes': writeCalls(coldCalls),
        'SPIRE calls': callsText(coldCalls),
      });
      // The pass that converged logs its line once its writes are done; the next `passes` are upkeep.
      const atConvergence = reg.logCount(CAUGHT_UP);
      const first = await reg.waitForLog(CAUGHT_UP, () => reg.logCount(CAUGHT_UP) > atConvergence, timeoutMs);
      world.spire.core.resetCalls();
      const cpuBefore = reg.cpuSeconds();
      const seen = reg.logCount(CAUGHT_UP);
      const last = await reg.waitForLog(CAUGHT_UP, () => reg.logCount(CAUGHT_UP) >= seen + p.webhookPasses, timeoutMs + p.webhookPasses * p.webhookResyncS * 1000);
      const upkeepCalls = entryCalls(world);
      rows.push({
        ...base(`upkeep x${p.webhookPasses}`),
        seconds: s(last.at - first.at),
        'peak RSS MiB': reg.peakRssMiB(),
        'RSS MiB': reg.rssMiB(),
        'CPU s': round(reg.cpuSeconds() - cpuBefore, 1),
        'SPIRE writes': writeCalls(upkeepCalls),
        'SPIRE calls': callsText(upkeepCalls),
      });
    } finally {
      await reg.stop();
    }
    world.spire.core.resetCalls();
    const again = await start(world, tls, p, o, 'webhook-restart');
    try {
      const first = await again.waitForLog(CAUGHT_UP, undefined, timeoutMs);
      const calls = entryCalls(world);
      rows.push({
        ...base('restart'),
        seconds: s(first.at - again.spawnedAt),
        'peak RSS MiB': again.peakRssMiB(),
        'RSS MiB': again.rssMiB(),
        'CPU s': round(again.cpuSeconds(), 1),
        'SPIRE writes': writeCalls(calls),
        'SPIRE calls': callsText(calls),
      });
    } finally {
      await again.stop();
    }
    return rows;
  } finally {
    await world.close();
  }
}

/** bench/webhook.ts's 500/s row alone (SPIRE at 0 ms, no pods informer), as a row of the scale table. */
export async function webhookAdmissionLoad(seconds: number, o: RunOptions): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-webhook-'));
  try {
    const rate = 500;
    const r = await webhook({ rate, durationS: seconds, maxS: 0, concurrency: 32, delayMs: 0, timeoutS: 60, probe: 0, gc: 0, spireProcess: 1 }, { ...o, dir, quiet: true });
    const fixed = r.rows[0];
    return {
      pods: 0,
      nodes: 0,
      mode: 'webhook',
      phase: `${rate * seconds} admissions at ${rate}/s`,
      seconds,
      'peak RSS MiB': Number(r.details?.registrarPeakRssMiB),
      'CPU s': Number(r.details?.registrarCpuSeconds),
      'SPIRE calls': String(fixed?.['SPIRE calls'] ?? ''),
      'p99 ms': Number(fixed?.['p99 ms']),
      errors: Number(fixed?.errors),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

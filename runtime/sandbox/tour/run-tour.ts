// `sandbox tour`: the tutorial's steps for a mode, run against a fresh sandbox in a temporary directory.
// Each step prints the in-cluster command, the sandbox command and the sandbox's real output; entries
// are checked against the tutorial before each `entry show`. The result says whether every check held.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mode } from '../../config/registrar-config.js';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { checkEntries, type EntryCheck, type ExpectedEntry } from './entry-check.js';
import { tourContext, type TourContext } from './tour-context.js';
import { TOUR_STEPS } from './tour-steps.js';

export type StepRecord = {
  readonly id: string;
  readonly title: string;
  readonly inCluster: string;
  readonly sandbox: string;
  readonly output: string;
  readonly check?: EntryCheck & { readonly expected: number };
};

export type TourResult = { readonly mode: Mode; readonly ok: boolean; readonly steps: readonly StepRecord[] };

export type TourOptions = {
  /** Seed for names and IDs (see seeded-ids.ts); the docs generator passes a fixed one. */
  readonly seed?: number;
  /** Where the transcript goes as it is made (default: nowhere). */
  readonly write?: (text: string) => void;
  /** How long entries must stay as expected before a check passes; default 300 ms. */
  readonly stableMs?: number;
  /** How long to wait for the expected entries; default 60 s (only a failing tour waits that long; a loaded machine must not fail a good one). */
  readonly timeoutMs?: number;
  /** Runs once the sandbox is up, before the first step (tests use it to plant a stray entry). */
  readonly prepare?: (sandbox: Sandbox) => Promise<void>;
};

export async function runTour(mode: Mode, opts: TourOptions = {}): Promise<TourResult> {
  const write = opts.write ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), `k8s-workload-registrar-tour-${mode}-`));
  const steps: StepRecord[] = [];
  let ok = true;
  try {
    write(`\n==== ${mode} mode ====\n`);
    const sandbox = await startSandbox({ mode, dir, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
    try {
      await opts.prepare?.(sandbox);
      const t = await tourContext(sandbox);
      try {
        for (const step of TOUR_STEPS[mode]) {
          write(`\n-- ${step.title}\n   in a cluster: ${step.inCluster}\n$ ${step.sandbox}\n`);
          const check = step.expect ? await waitForEntries(t, step.expect, opts) : undefined;
          const output = await step.run(t);
          if (output !== '') write(`${output}\n`);
          if (check) {
            ok &&= check.ok;
            write(check.ok ? `[ok] ${check.expected} entries, as the tutorial expects\n` : `[FAIL] entries differ from the tutorial's\n${[...check.missing.map((m) => `  missing: ${m}`), ...check.extra.map((e) => `  extra:   ${e}`)].join('\n')}\n`);
          }
          steps.push({ id: step.id, title: step.title, inCluster: step.inCluster, sandbox: step.sandbox, output, ...(check ? { check } : {}) });
        }
      } finally {
        await t.close();
      }
    } finally {
      await sandbox.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  write(ok ? `\n${mode} mode: every check passed\n` : `\n${mode} mode: some checks FAILED\n`);
  return { mode, ok, steps };
}

/** Waits until the entries match and stay matched for `stableMs`; returns the last comparison. */
async function waitForEntries(t: TourContext, expect: (t: TourContext) => ExpectedEntry[], opts: TourOptions): Promise<EntryCheck & { expected: number }> {
  const stableMs = opts.stableMs ?? 300;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let matchedSince: number | undefined;
  for (;;) {
    let expected: ExpectedEntry[] | undefined;
    let problem: string | undefined;
    try {
      expected = expect(t);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    const check = expected ? checkEntries(await t.entries(), expected) : { ok: false, missing: [`(${problem})`], extra: [] };
    const now = Date.now();
    if (check.ok) matchedSince ??= now;
    else matchedSince = undefined;
    if ((matchedSince !== undefined && now - matchedSince >= stableMs) || now > deadline) return { ...check, expected: expected?.length ?? 0 };
    await new Promise((r) => setTimeout(r, 25));
  }
}

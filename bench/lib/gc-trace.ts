// Reads V8's `--trace-gc-nvp` lines (one per collection, `name=value` pairs) and summarises a window of
// them against a count of work done: how often the young generation is scavenged, how much is allocated
// per unit of work, and how much each scavenge copies and promotes. These counts depend on what the code
// allocates and keeps, not on how busy the machine is, so A/B runs on a shared machine compare them.
import { percentile, round } from './stats.js';

export type GcEvent = {
  /** When the harness read the line (performance.now()); the pipe adds well under a millisecond. */
  readonly at: number;
  /** `s` scavenge, `mc` / `mmc` / `ms` mark-compact or sweep, `mcs` minor mark-compact. */
  readonly kind: string;
  readonly pauseMs: number;
  /** Bytes allocated since the previous collection. */
  readonly allocated: number;
  /** Bytes moved to the old generation. */
  readonly promoted: number;
  /** Bytes copied within the young generation (survived, not yet promoted). */
  readonly survived: number;
  /** Main-thread time of the incremental marking steps before a mark-compact's pause (`incremental=`). */
  readonly incrementalMs: number;
};

/** One `--trace-gc-nvp` line, or undefined for any other line. */
export function parseGcLine(text: string, at: number): GcEvent | undefined {
  if (!text.includes(' gc=') || !text.includes('pause=')) return undefined;
  const field = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(text)?.[1];
  const kind = field('gc');
  if (!kind) return undefined;
  return {
    at,
    kind,
    pauseMs: Number(field('pause') ?? 0),
    allocated: Number(field('allocated') ?? 0),
    promoted: Number(field('promoted') ?? 0),
    survived: Number(field('new_space_survived') ?? 0),
    incrementalMs: Number(field('incremental') ?? 0),
  };
}

export type GcSummary = {
  readonly scavenges: number;
  readonly 'scavenges per 1k': number;
  readonly 'KiB allocated per unit': number;
  readonly 'KiB copied per scavenge': number;
  readonly 'KiB promoted per scavenge': number;
  readonly 'scavenge pause p50 ms': number;
  readonly 'scavenge pause p99 ms': number;
  readonly 'scavenge pause max ms': number;
  readonly 'full GCs': number;
  /** Pauses plus incremental steps of the full GCs: what they took from the main thread in the window. */
  readonly 'full GC main-thread ms': number;
  readonly 'full GC pause max ms': number;
};

/** The collections in [from, to] per `units` of work (admissions, calls). */
export function summarizeGc(events: readonly GcEvent[], from: number, to: number, units: number): GcSummary {
  const inWindow = events.filter((e) => e.at >= from && e.at <= to);
  const scavenges = inWindow.filter((e) => e.kind === 's');
  const full = inWindow.filter((e) => e.kind !== 's');
  const pauses = scavenges.map((e) => e.pauseMs).sort((a, b) => a - b);
  const sum = (xs: readonly GcEvent[], f: (e: GcEvent) => number) => xs.reduce((s, e) => s + f(e), 0);
  const perScavenge = (f: (e: GcEvent) => number) => (scavenges.length === 0 ? 0 : round(sum(scavenges, f) / scavenges.length / 1024, 0));
  return {
    scavenges: scavenges.length,
    'scavenges per 1k': round((scavenges.length * 1000) / Math.max(1, units), 2),
    'KiB allocated per unit': round(sum(inWindow, (e) => e.allocated) / Math.max(1, units) / 1024, 1),
    'KiB copied per scavenge': perScavenge((e) => e.survived),
    'KiB promoted per scavenge': perScavenge((e) => e.promoted),
    'scavenge pause p50 ms': round(percentile(pauses, 50)),
    'scavenge pause p99 ms': round(percentile(pauses, 99)),
    'scavenge pause max ms': round(pauses.length > 0 ? (pauses[pauses.length - 1] as number) : Number.NaN),
    'full GCs': full.length,
    'full GC main-thread ms': round(sum(full, (e) => e.pauseMs + e.incrementalMs), 1),
    'full GC pause max ms': round(Math.max(0, ...full.map((e) => e.pauseMs))),
  };
}

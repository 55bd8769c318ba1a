// The registrar's Prometheus metrics in one registry (not prom-client's global one, so tests and two
// registrars in one process do not collide). Components receive this object and call e.g.
// `metrics.entriesCreated.inc(n)`; nothing else in the code base creates metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { StatusCode } from '../../handlers/entries/status-code.js';

const prefix = 'k8s_workload_registrar_';

export type RegistrarMetrics = {
  readonly registry: Registry;
  /** SPIRE entries created, updated and deleted by this registrar. */
  readonly entriesCreated: Counter;
  readonly entriesUpdated: Counter;
  readonly entriesDeleted: Counter;
  /** Duration of a reconcile pass (or a single-key reconcile); `result` is "success" or "error". */
  readonly reconcileDuration: Histogram<'controller' | 'result'>;
  /** Keys waiting in a work queue. */
  readonly queueDepth: Gauge<'queue'>;
  /** SPIRE API calls by gRPC method and status code name ("OK", "UNAVAILABLE", ...). */
  readonly spireCalls: Counter<'method' | 'code'>;
  /** SPIRE API calls that failed, and per-item batch failures, by method and code. */
  readonly spireCallErrors: Counter<'method' | 'code'>;
  /** 1 while this replica holds the leader Lease, else 0. */
  readonly leader: Gauge;
  /** Informer re-lists and re-watches, by resource and reason ("expired", "error", "closed"). */
  readonly informerRestarts: Counter<'resource' | 'reason'>;
  /** Kubernetes Events not written because the recorder's rate limit was reached. */
  readonly eventsDropped: Counter;
};

export type MetricsOptions = {
  /** Also export process and Node.js runtime metrics (default true; tests turn it off). */
  readonly defaultMetrics?: boolean;
};

export function createMetrics(opts: MetricsOptions = {}): RegistrarMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = (name: string, help: string) => new Counter({ name: prefix + name, help, registers });
  return {
    registry,
    entriesCreated: counter('entries_created_total', 'SPIRE registration entries created.'),
    entriesUpdated: counter('entries_updated_total', 'SPIRE registration entries updated.'),
    entriesDeleted: counter('entries_deleted_total', 'SPIRE registration entries deleted.'),
    reconcileDuration: new Histogram({
      name: prefix + 'reconcile_duration_seconds',
      help: 'Time taken by a reconcile pass.',
      labelNames: ['controller', 'result'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: prefix + 'work_queue_depth',
      help: 'Keys waiting in a work queue.',
      labelNames: ['queue'] as const,
      registers,
    }),
    spireCalls: new Counter({
      name: prefix + 'spire_calls_total',
      help: 'SPIRE Server API calls by method and status code.',
      labelNames: ['method', 'code'] as const,
      registers,
    }),
    spireCallErrors: new Counter({
      name: prefix + 'spire_call_errors_total',
      help: 'Failed SPIRE Server API calls and failed batch items by method and status code.',
      labelNames: ['method', 'code'] as const,
      registers,
    }),
    leader: new Gauge({ name: prefix + 'leader', help: '1 while this replica is the leader, else 0.', registers }),
    eventsDropped: counter('events_dropped_total', 'Kubernetes Events dropped by the rate limit.'),
    informerRestarts: new Counter({
      name: prefix + 'informer_restarts_total',
      help: 'Informer re-lists and re-watches by resource and reason.',
      labelNames: ['resource', 'reason'] as const,
      registers,
    }),
  };
}

const codeNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/**
 * Counts one SPIRE call (or one per-item batch result) by method and gRPC status code; non-OK codes also
 * count as errors. Adapters cannot import runtime/, so the runtime hands this function to the SPIRE
 * adapter as a plain callback.
 */
export function spireCallRecorder(metrics: RegistrarMetrics): (method: string, code: number) => void {
  return (method, code) => {
    const labels = { method, code: codeNames.get(code) ?? String(code) };
    metrics.spireCalls.inc(labels);
    if (code !== StatusCode.OK) metrics.spireCallErrors.inc(labels);
  };
}

/** Starts a reconcile-duration timer; call the returned function with the pass's result. */
export function timeReconcile(metrics: RegistrarMetrics, controller: string): (result: 'success' | 'error') => void {
  const end = metrics.reconcileDuration.startTimer({ controller });
  return (result) => void end({ result });
}

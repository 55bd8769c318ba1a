// HCL text -> plain JSON value, through HashiCorp's own HCL parser (compiled to WebAssembly by
// @cdktn/hcl2json). Blocks become arrays of objects (`context { A = "b" }` -> `context: [{ A: 'b' }]`)
// and expressions such as a bare word become "${...}" strings; parse-config.ts deals with both.
// The parser runs in a short-lived worker thread: its Go runtime never exits and keeps ~75 MiB of
// WebAssembly memory for as long as its thread lives, which in the main thread would be the registrar's
// whole life (bench/README.md: peak RSS). The config is parsed once, so the worker ends right after.
// While it runs, V8 compiles WebAssembly with its baseline compiler only (Liftoff): by default it also
// re-compiles the parser's module with TurboFan on background threads, whose memory was most of the parse's
// high-water mark (~160 -> ~100 MiB) and ~35 MiB the allocator kept after the worker had ended; a parse
// runs the code once, so the slower baseline code costs nothing (the parse got faster).
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

export type HclResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly problems: string[] };

const hcl2json = createRequire(import.meta.url).resolve('@cdktn/hcl2json');

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.module).parse(workerData.filename, workerData.text).then(
  (body) => parentPort.postMessage({ ok: true, body }),
  (err) => parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
`;

type WorkerReply = { ok: true; body: unknown } | { ok: false; message: string };

/** Parses in flight: the flag is process-wide, so it is put back only when the last one has ended. */
let parsing = 0;

/** The parser's module is the only WebAssembly the registrar compiles, so the flag is set only around it. */
async function withBaselineWasm<T>(run: () => Promise<T>): Promise<T> {
  if (parsing++ === 0) setFlagsFromString('--liftoff-only');
  try {
    return await run();
  } finally {
    if (--parsing === 0) setFlagsFromString('--no-liftoff-only');
  }
}

function parseInWorker(text: string, filename: string): Promise<WorkerReply> {
  return withBaselineWasm(() => new Promise((resolve) => {
    // No inherited execArgv: the worker runs plain JavaScript and needs no loader (tsx) of its own.
    const worker = new Worker(workerSource, { eval: true, workerData: { module: hcl2json, text, filename }, execArgv: [] });
    const done = (reply: WorkerReply) => {
      worker.removeAllListeners();
      worker.on('error', () => {}); // nothing more to report once answered
      // Answer only once the thread is gone: its ~75 MiB of WebAssembly memory is released when it ends,
      // and whatever the caller loads next would otherwise add to that (the process's peak RSS).
      worker.terminate().then(
        () => resolve(reply),
        () => resolve(reply),
      );
    };
    worker.once('message', (reply: WorkerReply) => done(reply));
    worker.once('error', (err: Error) => done({ ok: false, message: err.message }));
    worker.once('exit', (code) => done({ ok: false, message: `the HCL parser exited (${code}) without an answer` }));
  }));
}

export async function parseHcl(text: string, filename: string): Promise<HclResult> {
  const reply = await parseInWorker(text, filename);
  if (!reply.ok) return { ok: false, problems: hclDiagnostics(reply.message, filename) };
  const body = reply.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problems: [`${filename}: not an HCL body`] };
  return { ok: true, body: body as Record<string, unknown> };
}

/** The original's words for a file HCL cannot parse (config.go ParseConfig), kept so scripts that grep them still match. */
export const DECODE_PREFIX = 'unable to decode configuration: ';

/**
 * The parser reports `parse config: [f.conf:1,7-2,1: Summary; Detail. f.conf:3,1-4: ...]`; split that
 * into one problem per diagnostic, each `file:line:column: unable to decode configuration: Summary; Detail.`
 */
export function hclDiagnostics(message: string, filename: string): string[] {
  const inner = message.replace(/^(Error: )?parse config: \[/, '').replace(/\]$/, '');
  const pos = new RegExp(`${escapeRegExp(filename)}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `, 'g');
  const starts = [...inner.matchAll(pos)];
  if (starts.length === 0) return [`${filename}: ${DECODE_PREFIX}${inner}`];
  return starts.map((m, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1] as RegExpMatchArray).index : inner.length;
    const text = inner.slice((m.index as number) + m[0].length, end).trim();
    return `${filename}:${m[1]}:${m[2]}: ${DECODE_PREFIX}${text}`;
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

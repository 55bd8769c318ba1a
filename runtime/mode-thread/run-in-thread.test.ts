// The main thread's side of a mode thread, with small thread modules in place of the registrar's
// (data: URLs): exit codes, the stop message, failures, and the young generation the thread gets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../logger.js';
import type { CrdConfig } from '../config/registrar-config.js';
import { runModeInThread } from './run-in-thread.js';

const threadModule = (source: string) => new URL(`data:text/javascript,${encodeURIComponent(`import { parentPort, workerData, resourceLimits } from 'node:worker_threads';\n${source}`)}`);

function harness() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const config = { mode: 'crd', trustDomain: 'example.org' } as unknown as CrdConfig;
  return { lines, logger, config };
}

test('resolves with the exit code the thread posts; the thread gets the configuration and the young generation asked for', async () => {
  const { logger, config } = harness();
  const entry = threadModule(`parentPort.postMessage({ exitCode: workerData.config.trustDomain === 'example.org' && workerData.path === '/c.conf' && resourceLimits.maxYoungGenerationSizeMb === 6 ? 0 : 7 });`);
  const code = await runModeInThread({ config, path: '/c.conf', youngGenerationMiB: 6, logger, signal: new AbortController().signal, entry });
  assert.equal(code, 0);
});

test('an abort becomes one stop message, sent at once when the signal aborted before the thread started', async () => {
  const { logger, config } = harness();
  // The thread ends with the number of stop messages it saw by its next turn after the first.
  const entry = threadModule(`let n = 0; const h = (m) => { if (m === 'stop' && n++ === 0) setImmediate(() => { parentPort.postMessage({ exitCode: 40 + n }); parentPort.off('message', h); }); }; parentPort.on('message', h);`);
  const live = new AbortController();
  const running = runModeInThread({ config, path: '/c.conf', youngGenerationMiB: 6, logger, signal: live.signal, entry });
  live.abort();
  assert.equal(await running, 41);
  const early = new AbortController();
  early.abort();
  assert.equal(await runModeInThread({ config, path: '/c.conf', youngGenerationMiB: 6, logger, signal: early.signal, entry }), 41);
});

test('an exception the thread did not catch is logged as a fatal error and resolves 1', async () => {
  const { lines, logger, config } = harness();
  const code = await runModeInThread({ config, path: '/c.conf', youngGenerationMiB: 6, logger, signal: new AbortController().signal, entry: threadModule(`throw new Error('boom in the thread');`) });
  assert.equal(code, 1);
  const fatal = lines.filter((l) => l.level === 'fatal');
  assert.equal(fatal.length, 1, JSON.stringify(lines));
  assert.equal(fatal[0]?.msg, 'Registrar failed');
  assert.match(JSON.stringify(fatal[0]?.err), /boom in the thread/);
});

test('a thread that ends without posting a result resolves 1 with a fatal line naming its exit code', async () => {
  const { lines, logger, config } = harness();
  const code = await runModeInThread({ config, path: '/c.conf', youngGenerationMiB: 6, logger, signal: new AbortController().signal, entry: threadModule(`process.exit(3);`) });
  assert.equal(code, 1);
  assert.deepEqual(lines.filter((l) => l.level === 'fatal').map((l) => [l.msg, l.exitCode]), [['The registrar thread ended without a result', 3]]);
});

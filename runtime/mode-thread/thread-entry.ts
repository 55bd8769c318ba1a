// Inside the thread a mode runs in (run-in-thread.ts starts it): the same logger as the main thread's
// (stderr or log_path, synchronous writes, so lines of both threads interleave whole), the mode run
// until the main thread says stop, and the exit code posted back. Signals are the main thread's: a
// worker thread receives none.
import { parentPort, resourceLimits, workerData } from 'node:worker_threads';
import { createLogger } from '../logger.js';
import { loadModeFile, runMode } from '../run-mode.js';
import { STOP, type ModeThreadData, type ModeThreadResult } from './run-in-thread.js';

const port = parentPort;
if (port === null) throw new Error('thread-entry.ts runs only as a worker thread (runtime/mode-thread/run-in-thread.ts)');
const { config, path } = workerData as ModeThreadData;
const controller = new AbortController();
const onMessage = (m: unknown) => {
  if (m === STOP) controller.abort();
};
port.on('message', onMessage);
let exitCode: number;
try {
  exitCode = await runMode({
    config,
    path,
    // The main thread built a logger from the same configuration a moment ago, so this one cannot fail
    // differently; if it throws, the main thread reports the thread's error.
    logger: createLogger(config),
    loadMode: loadModeFile,
    signal: controller.signal,
    startFields: { youngGenerationMiB: resourceLimits.maxYoungGenerationSizeMb },
  });
} finally {
  // Without a listener the port no longer holds the thread: it ends once the mode has closed everything.
  port.off('message', onMessage);
}
port.postMessage({ exitCode } satisfies ModeThreadResult);

/** Resolves once `signal` aborts (at once if it already has): how a mode waits for shutdown. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Waits for `work` or for `signal` to abort, whichever is first, and leaves no listener behind: a pass that
 * runs every resync on a process-long signal must not add one per pass (aborted() keeps its listener until
 * the signal aborts). Resolves to undefined on abort.
 */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let onAbort!: () => void;
  const stopped = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// Runs `run` for every item with at most `limit` calls in flight, and resolves when all have settled.
// A rejection does not stop the others: every item is still run, and the first rejection is re-thrown
// at the end (callers that want per-item handling catch inside `run`).
export async function forEachLimit<T>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await run(items[i] as T, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (failure) throw failure.err;
}

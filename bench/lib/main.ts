// Runs a scenario's main() when its file is the command run (not when imported by run-all or a test).
import { pathToFileURL } from 'node:url';

export function runIfMain(moduleUrl: string, main: (argv: readonly string[]) => Promise<unknown>): void {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(entry).href !== moduleUrl) return;
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * Node flags for the registrar process from BENCH_REGISTRAR_NODE_ARGS, for profiling, e.g.
 * BENCH_REGISTRAR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:churn
 */
export function registrarNodeArgs(env: NodeJS.ProcessEnv = process.env): { nodeArgs?: readonly string[] } {
  const args = (env.BENCH_REGISTRAR_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  return args.length > 0 ? { nodeArgs: args } : {};
}

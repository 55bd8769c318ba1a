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

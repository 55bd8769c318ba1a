// A configuration that cannot be used. `problems` lists every error found (one line each, prefixed with
// `file:` or `file:line:`), not just the first, so one edit-and-retry round fixes them all.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly problems: readonly string[],
    /** Warnings found on the way (unknown keys...), so `validate` can show them next to the errors. */
    readonly warnings: readonly string[] = [],
  ) {
    super(problems.length === 1 ? (problems[0] as string) : `${problems.length} configuration problems:\n${problems.join('\n')}`);
  }
}

/** The lines a command prints for an unusable configuration: every warning, then every problem. */
export function configErrorLines(err: ConfigError): string[] {
  return [...err.warnings.map((w) => `warning: ${w}\n`), ...err.problems.map((p) => `error: ${p}\n`)];
}

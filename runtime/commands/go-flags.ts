// Command-line flags in Go's `flag` style, which the original registrar (and spire-server) use:
// `-config x`, `--config x`, `-config=x`; booleans as `-flag` or `-flag=false`; repeatable flags collect.
// Existing Deployments pass `-config /run/spire/config/k8s-workload-registrar.conf`, so this must keep working.

export type FlagSpec = Readonly<Record<string, { readonly kind: 'string' | 'boolean' | 'list'; readonly default?: string | boolean }>>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export function parseGoFlags(argv: readonly string[], spec: FlagSpec): { flags: FlagValues; positional: string[] } {
  const flags: FlagValues = {};
  for (const [name, s] of Object.entries(spec)) flags[name] = s.kind === 'list' ? [] : s.default;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const s = spec[name];
    if (!s) throw new FlagError(`flag provided but not defined: -${name}`);
    if (s.kind === 'boolean') {
      const raw = eq === -1 ? 'true' : body.slice(eq + 1);
      if (raw !== 'true' && raw !== 'false') throw new FlagError(`invalid boolean value "${raw}" for -${name}`);
      flags[name] = raw === 'true';
      continue;
    }
    let value: string;
    if (eq !== -1) value = body.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: -${name}`);
      value = next;
      i++;
    }
    if (s.kind === 'list') (flags[name] as string[]).push(value);
    else flags[name] = value;
  }
  return { flags, positional };
}

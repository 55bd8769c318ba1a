// Command-line sizes for the bench scripts: `--pods=2000 --nodes=100` (or `--pods 2000`). Unknown flags
// are an error, so a typo never silently runs the default size.
export type ArgSpec = Readonly<Record<string, number>>;

export function parseArgs<T extends ArgSpec>(argv: readonly string[], defaults: T): { [K in keyof T]: number } {
  const out: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}" (flags: ${flagList(defaults)})`);
    const name = (m[1] as string).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(name in defaults)) throw new Error(`unknown flag --${m[1]} (flags: ${flagList(defaults)})`);
    const raw = m[2] ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value) || value < 0) throw new Error(`--${m[1]} needs a number >= 0, got "${raw ?? ''}"`);
    out[name] = value;
  }
  return out as { [K in keyof T]: number };
}

function flagList(defaults: ArgSpec): string {
  return Object.entries(defaults)
    .map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${v}`)
    .join(' ');
}

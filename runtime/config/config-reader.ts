// Holds the typed values of one configuration file and collects its problems and warnings, each prefixed
// with `file:line:` of the key it is about (or `file:` when no key or line applies).
import { configKeys, type ConfigKey } from './config-keys.js';
import { readValue } from './config-values.js';

type Located = { readonly line: number; readonly text: string };

export class ConfigReader {
  private readonly values = new Map<ConfigKey, unknown>();
  private readonly errors: Located[] = [];
  private readonly warns: Located[] = [];

  constructor(
    private readonly filename: string,
    private readonly lines: ReadonlyMap<string, number>,
  ) {}

  /** Type-checks `raw` for `key`; a wrong type is an error and the key then counts as absent. */
  load(key: ConfigKey, raw: unknown): void {
    const r = readValue(configKeys[key].kind, raw);
    if (r.ok) this.values.set(key, r.value);
    else this.error(key, `${key}: ${r.message}`);
  }

  has(key: ConfigKey): boolean {
    return this.values.has(key);
  }

  /** A string value; "" counts as unset, as in the original (`if c.X == "" { c.X = default }`). */
  str(key: ConfigKey): string | undefined {
    const s = this.values.get(key) as string | undefined;
    return s === '' ? undefined : s;
  }

  bool(key: ConfigKey): boolean | undefined {
    return this.values.get(key) as boolean | undefined;
  }

  int(key: ConfigKey): number | undefined {
    return this.values.get(key) as number | undefined;
  }

  list(key: ConfigKey): string[] | undefined {
    return this.values.get(key) as string[] | undefined;
  }

  map(key: ConfigKey): Record<string, string> | undefined {
    return this.values.get(key) as Record<string, string> | undefined;
  }

  /** Milliseconds. */
  duration(key: ConfigKey): number | undefined {
    return this.values.get(key) as number | undefined;
  }

  error(key: string | undefined, message: string): void {
    this.errors.push(this.locate(key, message));
  }

  warn(key: string | undefined, message: string): void {
    this.warns.push(this.locate(key, message));
  }

  /** Problems in file order (those without a line last, in the order they were found). */
  problems(): string[] {
    return sortByLine(this.errors);
  }

  warnings(): string[] {
    return sortByLine(this.warns);
  }

  private locate(key: string | undefined, message: string): Located {
    const line = key === undefined ? undefined : this.lines.get(key);
    return line === undefined
      ? { line: Number.POSITIVE_INFINITY, text: `${this.filename}: ${message}` }
      : { line, text: `${this.filename}:${line}: ${message}` };
  }
}

function sortByLine(items: readonly Located[]): string[] {
  return items
    .map((item, index) => ({ ...item, index }))
    .sort((a, b) => a.line - b.line || a.index - b.index)
    .map((item) => item.text);
}

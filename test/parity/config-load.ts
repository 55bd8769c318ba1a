// Loads a configuration text the way the binary does (a file on disk, runtime/config/loadConfig), for
// the config parity files. Problems come back without their `file:line:column:` prefix, so a case can
// compare the message itself with the original registrar's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ConfigError } from '../../runtime/config/config-error.js';
import { loadConfig } from '../../runtime/config/load-config.js';
import type { RegistrarConfig } from '../../runtime/config/registrar-config.js';

export type Loaded =
  | { readonly ok: true; readonly config: RegistrarConfig; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export type ConfigFile = { readonly path: string; load(text?: string): Promise<Loaded> };

/** One temp file per test file (the original's tests also rewrote one file per case). */
export async function configFile(t: TestContext): Promise<ConfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'parity-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'test.conf');
  const strip = (s: string) => (s.startsWith(path) ? s.slice(path.length).replace(/^(:\d+)*: /, '') : s);
  return {
    path,
    async load(text) {
      if (text !== undefined) await writeFile(path, text, { mode: 0o600 });
      try {
        const { config, warnings } = await loadConfig(path);
        return { ok: true, config, warnings: warnings.map(strip) };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return { ok: false, problems: err.problems.map(strip) };
      }
    },
  };
}

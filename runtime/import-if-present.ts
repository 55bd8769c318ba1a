// Dynamic import of an optional module (a mode or a subcommand), so that a module is loaded only when
// it is used and a build without it still starts. Only "this very module is missing" counts as absent;
// a module that is present but fails to load (or misses one of its own imports) still throws.
import { fileURLToPath } from 'node:url';

export async function importIfPresent<T>(url: URL): Promise<T | undefined> {
  try {
    return (await import(url.href)) as T;
  } catch (err) {
    if (isMissing(err, url)) return undefined;
    throw err;
  }
}

function isMissing(err: unknown, url: URL): boolean {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return false;
  const path = fileURLToPath(url);
  // Under tsx the .js specifier of a .ts source is reported as written.
  return err.message.includes(`'${path}'`) || err.message.includes(`'${path.replace(/\.js$/, '.ts')}'`);
}

// `npm run build` (and `prepare`, so `npm ci` builds it): compiles handlers/, adapters/ and runtime/ into
// dist/, which the npm binary and the container image run. dist/ is emptied first so that a source file
// removed since the last build leaves nothing behind; the SPIRE API .proto subset is copied next to the
// compiled adapter, where proto-loader reads it at run time.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
cpSync(join(root, 'adapters/spire/proto'), join(dist, 'adapters/spire/proto'), { recursive: true });

// `npm run build` (and `prepare`, so `npm ci` builds it): compiles handlers/, adapters/ and runtime/ into
// dist/, which the npm binary and the container image run. dist/ is emptied first so that a source file
// removed since the last build leaves nothing behind; the SPIRE API .proto subset is copied next to the
// compiled adapter, where proto-loader reads it at run time; and adapters/client-node.js is replaced by a
// tree-shaken esbuild bundle of the few @kubernetes/client-node classes it re-exports (see that file).
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
cpSync(join(root, 'adapters/spire/proto'), join(dist, 'adapters/spire/proto'), { recursive: true });

const clientNode = join(dist, 'adapters', 'client-node.js');
await build({
  entryPoints: [clientNode],
  outfile: clientNode,
  allowOverwrite: true,
  bundle: true,
  treeShaking: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  // Without comments and indentation: V8 keeps a module's source text for its lifetime, and a few
  // non-Latin-1 characters in client-node's comments made the whole 2.4 MB a two-byte string (4.8 MB of
  // heap); minified it is 1.5 MB of one-byte text. Names are kept, so stack traces still read.
  minifyWhitespace: true,
  // CommonJS dependencies inside the bundle call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

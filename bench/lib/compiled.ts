// The registrar as the container image runs it: `tsc -p tsconfig.build.json` output, started with plain
// node (no tsx loader thread). Built once per bench process under node_modules/.cache, so that package
// resolution finds the project's node_modules and nothing is written into the source tree; removed when
// the bench process exits.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
// One directory per bench process (a smoke test and a bench run may compile at the same time).
const buildDir = join(root, 'node_modules', '.cache', 'registrar-bench', String(process.pid));
const outDir = join(buildDir, 'dist');

let built: Promise<string> | undefined;

/** The compiled floor script (call compiledCli() first). */
export async function compiledFloor(): Promise<string> {
  await compiledCli();
  return join(outDir, 'bench', 'floor.js');
}

/** Compiles the registrar (once) and returns the path of its compiled CLI entry point. */
export function compiledCli(): Promise<string> {
  built ??= (async () => {
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    process.once('exit', () => rmSync(buildDir, { recursive: true, force: true }));
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const cli = join(outDir, 'runtime', 'cli.js');
    // tsconfig.build.json plus the floor script, so that the floor runs compiled too (a fair ratio).
    const tsconfig = join(buildDir, 'tsconfig.bench.json');
    await writeFile(tsconfig, JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: { rootDir: root, outDir },
      include: ['handlers', 'adapters', 'runtime'].map((d) => join(root, d)).concat(join(root, 'bench', 'floor.ts')),
      exclude: [join(root, '**', '*.test.ts')],
    }));
    try {
      await promisify(execFile)(tsc, ['-p', tsconfig, '--noEmitOnError', 'false'], { cwd: root });
    } catch (cause) {
      // Type errors still emit JavaScript; only a missing output is fatal.
      if (!existsSync(cli)) {
        built = undefined;
        throw new Error('compile the registrar (tsc -p tsconfig.build.json)', { cause });
      }
      const out = (cause as { stdout?: string }).stdout ?? '';
      process.stderr.write(`bench: tsc reported type errors; running the emitted JavaScript anyway:\n${out}`);
    }
    // As the Dockerfile does: proto-loader reads the SPIRE API subset next to the compiled adapter.
    await cp(join(root, 'adapters', 'spire', 'proto'), join(outDir, 'adapters', 'spire', 'proto'), { recursive: true });
    // Inside node_modules the project's package.json does not apply: mark the output as ES modules.
    await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
    return cli;
  })();
  return built;
}

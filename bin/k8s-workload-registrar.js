#!/usr/bin/env node
// The npm binary: the compiled JavaScript in dist/, which `npm ci` builds (the `prepare` script) and a
// published package carries. No TypeScript loader at run time: see docs/adr/0003-running-typescript.md.
try {
  await import('../dist/runtime/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/runtime/cli.js')) throw err;
  process.stderr.write('k8s-workload-registrar: dist/ is missing; build it with `npm run build` (npm ci does so)\n');
  process.exitCode = 1;
}

// The import rule (ARCHITECTURE.md): handlers/ are pure and may import only handlers/ and valibot;
// adapters/ never import runtime/. Checked here so that a violation fails CI.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] as string);
}

test('handlers import only handlers/ and valibot', () => {
  const offences: string[] = [];
  for (const file of sources('handlers')) {
    for (const spec of imports(file)) {
      const allowed = spec === 'valibot' || (spec.startsWith('.') && join(file, '..', spec).startsWith('handlers'));
      if (!allowed) offences.push(`${file} imports ${spec}`);
    }
  }
  assert.deepEqual(offences, []);
});

test('handlers use no clock, randomness or process globals', () => {
  const offences: string[] = [];
  for (const file of sources('handlers')) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const banned of ['Date.now(', 'new Date()', 'Math.random(', 'process.', 'setTimeout(', 'crypto.']) {
      if (text.includes(banned)) offences.push(`${file} uses ${banned}`);
    }
  }
  assert.deepEqual(offences, []);
});

test('adapters never import runtime/', () => {
  const offences: string[] = [];
  for (const file of sources('adapters')) {
    for (const spec of imports(file)) {
      if (spec.startsWith('.') && join(file, '..', spec).startsWith('runtime')) offences.push(`${file} imports ${spec}`);
    }
  }
  assert.deepEqual(offences, []);
});

// adapters/client-node.ts is the one door to @kubernetes/client-node: the build bundles it tree-shaken, and
// one value import of the package anywhere else loads the whole generated client in the binary (~30 MB of
// heap). Type-only imports are erased by the compiler.
test('only adapters/client-node.ts imports @kubernetes/client-node (types aside)', () => {
  const offences: string[] = [];
  for (const file of [...sources('runtime'), ...sources('adapters'), ...sources('handlers')]) {
    if (file === join('adapters', 'client-node.ts')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]@kubernetes\/client-node['"]/g)) {
      if (!m[2]) offences.push(file);
    }
    if (/import\(\s*['"]@kubernetes\/client-node['"]\s*\)/.test(text)) offences.push(file);
  }
  assert.deepEqual(offences, []);
});

/** Relative modules `file` loads when it is evaluated: static imports and re-exports, not `import type`, not `import()`. */
function staticImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [
    ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'"();]*?from\s+['"]([^'"]+)['"]/g)].filter((m) => !m[1]).map((m) => m[2] as string),
    ...[...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string),
  ];
  return specs.filter((s) => s.startsWith('.')).map((s) => join(file, '..', s.replace(/\.js$/, '.ts')));
}

// Webhook mode without webhook_resync serves admissions only; the Kubernetes client is ~6-7 MB of live heap
// that every full GC would mark again (bench/README.md, "webhook tail, fourth round"), so it is imported
// only on demand (runtime/webhook/webhook-pod-informer.ts, the kube config loader in modes/webhook.ts).
test('webhook mode loads the Kubernetes client only on demand (no static import path to adapters/client-node.ts)', () => {
  const target = join('adapters', 'client-node.ts');
  const seen = new Map<string, string>([[join('runtime', 'modes', 'webhook.ts'), '']]);
  const queue = [...seen.keys()];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const next of staticImports(file)) {
      if (seen.has(next)) continue;
      seen.set(next, file);
      queue.push(next);
    }
  }
  const path: string[] = [];
  for (let f = seen.has(target) ? target : ''; f; f = seen.get(f) ?? '') path.unshift(f);
  assert.deepEqual(path, []);
});

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ModeContext } from './modes/mode-context.js';
import { run, type RunDeps } from './run.js';

const CONFIG = 'trust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/s.sock"\nmode = "reconcile"\nlog_format = "json"\n';

async function configFile(t: TestContext, text = CONFIG): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'registrar.conf');
  await writeFile(path, text);
  return path;
}

function harness(loadMode: RunDeps['loadMode']) {
  const out = { stdout: '', stderr: '', logs: [] as Record<string, unknown>[], exits: [] as number[] };
  const signals = new EventEmitter();
  const deps: RunDeps = {
    io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } },
    signals,
    loadMode,
    logSink: { write: (line: string) => out.logs.push(JSON.parse(line)) },
    exitNow: (code) => out.exits.push(code),
  };
  return { out, signals, deps };
}

test('runs the configured mode, logs when it is ready, stops it on SIGTERM and exits 0 after it returns', async (t) => {
  const path = await configFile(t);
  let seen: ModeContext | undefined;
  const { out, signals, deps } = harness(async (mode) => {
    assert.equal(mode, 'reconcile');
    return {
      run: async (ctx: ModeContext) => {
        seen = ctx;
        ctx.onReady?.();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    };
  });
  const done = run(['-config', path], deps);
  while (seen === undefined) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen.config.mode, 'reconcile');
  assert.equal(seen.signal.aborted, false);
  signals.emit('SIGTERM');
  assert.equal(await done, 0);
  assert.equal(seen.signal.aborted, true);
  assert.deepEqual(out.logs.map((l) => l.msg), ['Starting k8s-workload-registrar', 'Ready', 'Shutting down', 'Stopped']);
  assert.equal(out.logs[2]?.signal, 'SIGTERM');
  assert.equal(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT'), 0, 'signal handlers are removed');
});

test('a second signal while shutting down exits at once', async (t) => {
  const path = await configFile(t);
  let started = false;
  let release = () => {};
  const { out, signals, deps } = harness(async () => ({
    run: async (ctx: ModeContext) => {
      started = true;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      assert.equal(ctx.signal.aborted, true);
    },
  }));
  const done = run(['-config', path], deps);
  while (!started) await new Promise((resolve) => setImmediate(resolve));
  signals.emit('SIGINT');
  signals.emit('SIGINT');
  assert.deepEqual(out.exits, [1]);
  release();
  assert.equal(await done, 0);
});

test('a mode that fails is logged with { err } and exits 1', async (t) => {
  const path = await configFile(t);
  const { out, deps } = harness(async () => ({
    run: async () => {
      throw new Error('connect to SPIRE', { cause: new Error('ENOENT') });
    },
  }));
  assert.equal(await run(['-config', path], deps), 1);
  const fatal = out.logs.find((l) => l.level === 'fatal');
  assert.equal(fatal?.msg, 'Registrar failed');
  assert.equal((fatal?.err as { message: string }).message, 'connect to SPIRE: ENOENT');
});

test('a missing mode module is a clear fatal error, exit 1', async (t) => {
  const path = await configFile(t);
  const { out, deps } = harness(async () => undefined);
  assert.equal(await run(['-config', path], deps), 1);
  assert.deepEqual(
    out.logs.map((l) => [l.level, l.msg, l.mode]),
    [['fatal', 'This build has no implementation of the configured mode', 'reconcile']],
  );
});

test('configuration problems and warnings go to stderr, exit 1, and no mode is loaded', async (t) => {
  const path = await configFile(t, 'trust_domian = "example.org"\n');
  const { out, deps } = harness(async () => assert.fail('no mode must be loaded'));
  assert.equal(await run(['-config', path], deps), 1);
  assert.equal(
    out.stderr,
    [
      `warning: ${path}:1: unknown configuration key "trust_domian" (did you mean "trust_domain"?); it is ignored`,
      `error: ${path}: server_address or server_socket_path must be specified`,
      `error: ${path}: trust_domain must be specified`,
      `error: ${path}: cluster must be specified`,
      '',
    ].join('\n'),
  );
});

test('configuration warnings are logged once the logger exists', async (t) => {
  const path = await configFile(t, `${CONFIG}metrics_adr = "0"\n`);
  const { out, deps } = harness(async () => ({ run: async () => {} }));
  assert.equal(await run(['-config', path], deps), 0);
  assert.deepEqual(out.logs[0], {
    level: 'warning',
    time: out.logs[0]?.time,
    warning: `${path}:6: unknown configuration key "metrics_adr" (did you mean "metrics_addr"?); it is ignored`,
    msg: 'Configuration warning',
  });
});

test('bad flags print the flag error and usage, exit 2', async () => {
  const { out, deps } = harness(async () => assert.fail('no mode must be loaded'));
  assert.equal(await run(['-conf', 'x'], deps), 2);
  assert.match(out.stderr, /^flag provided but not defined: -conf\nUsage: k8s-workload-registrar \[-config <path>\]/);
});

test('the mode prefetch gets the config path before parsing and never decides the mode that runs', async (t) => {
  const path = await configFile(t, CONFIG.replace('mode = "reconcile"', 'mode = "crd"\n# mode = "reconcile"'));
  const prefetched: string[] = [];
  const loaded: string[] = [];
  const { out, deps } = harness(async (mode) => {
    loaded.push(mode);
    return { run: async () => {} };
  });
  assert.equal(await run(['-config', path], { ...deps, prefetchMode: (p) => prefetched.push(p) }), 0, out.stderr);
  assert.deepEqual([prefetched, loaded], [[path], ['crd']]);
});

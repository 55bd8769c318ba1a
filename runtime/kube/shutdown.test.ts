import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { shutDownGracefully } from './shutdown.js';

test('steps run in the fixed order whatever order they are given in', async () => {
  const seen: string[] = [];
  const step = (name: string) => async () => void seen.push(name);
  const failed = await shutDownGracefully({
    closeServers: step('servers'),
    releaseLease: step('lease'),
    drainWork: step('drain'),
    stopInformers: step('informers'),
  });
  assert.deepEqual(seen, ['informers', 'drain', 'lease', 'servers']);
  assert.deepEqual(failed, []);
});

test('each step waits for the previous one to finish', async () => {
  const seen: string[] = [];
  await shutDownGracefully({
    drainWork: async () => {
      await new Promise((r) => setImmediate(r));
      seen.push('drained');
    },
    releaseLease: async () => void seen.push('released'),
  });
  assert.deepEqual(seen, ['drained', 'released']);
});

test('a failing step is reported and the later steps still run', async () => {
  const seen: string[] = [];
  const failed = await shutDownGracefully({
    drainWork: async () => {
      throw new Error('spire unavailable');
    },
    releaseLease: async () => void seen.push('released'),
  });
  assert.deepEqual(failed, ['drainWork']);
  assert.deepEqual(seen, ['released']);
});

test('a hanging step times out and the later steps still run', async () => {
  const clock = manualClock();
  const seen: string[] = [];
  const done = shutDownGracefully(
    { drainWork: () => new Promise<void>(() => {}), closeServers: async () => void seen.push('closed') },
    { clock, stepTimeoutMs: 5000 },
  );
  await clock.advance(5000);
  assert.deepEqual(await done, ['drainWork']);
  assert.deepEqual(seen, ['closed']);
});

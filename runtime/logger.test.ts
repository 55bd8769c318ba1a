import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from './logger.js';

const fixedNow = () => Date.parse('2026-01-02T15:04:05.678Z');

function capture() {
  const lines: string[] = [];
  return { lines, sink: { write: (line: string) => lines.push(line) } };
}

test('text format: logrus layout with the message and fields', () => {
  const { lines, sink } = capture();
  const log = createLogger({ logLevel: 'info', logFormat: 'text' }, sink, fixedNow);
  log.info({ entry_id: 'e1', spiffe_id: 'spiffe://example.org/ns/spire/sa/default' }, 'Created pod entry');
  assert.deepEqual(lines, ['time="2026-01-02T15:04:05Z" level=info msg="Created pod entry" entry_id=e1 spiffe_id="spiffe://example.org/ns/spire/sa/default"\n']);
});

test('text format: values with spaces are quoted, warn prints as warning, child fields are included', () => {
  const { lines, sink } = capture();
  const log = createLogger({ logLevel: 'info', logFormat: 'text' }, sink, fixedNow).child({ component: 'webhook' });
  log.warn({ reason: 'client verification is off' }, 'Insecure');
  assert.deepEqual(lines, ['time="2026-01-02T15:04:05Z" level=warning msg=Insecure component=webhook reason="client verification is off"\n']);
});

test('text format: an error is logged as error=<message with causes>', () => {
  const { lines, sink } = capture();
  const log = createLogger({ logLevel: 'info', logFormat: 'text' }, sink, fixedNow);
  log.error({ err: new Error('list entries (page 3)', { cause: new Error('connection refused') }) }, 'Reconcile failed');
  assert.deepEqual(lines, ['time="2026-01-02T15:04:05Z" level=error msg="Reconcile failed" error="list entries (page 3): connection refused"\n']);
});

test('json format: one JSON object per line with logrus keys (level name, msg, time)', () => {
  const { lines, sink } = capture();
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, sink, fixedNow);
  log.debug({ entry_id: 'e1' }, 'Deleted pod entry');
  log.warn('careful');
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0] as string), { level: 'debug', time: '2026-01-02T15:04:05.678Z', entry_id: 'e1', msg: 'Deleted pod entry' });
  assert.equal(JSON.parse(lines[1] as string).level, 'warning');
  assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
});

test('json format keeps the error stack', () => {
  const { lines, sink } = capture();
  createLogger({ logLevel: 'info', logFormat: 'json' }, sink).error({ err: new Error('boom') }, 'Failed');
  const record = JSON.parse(lines[0] as string);
  assert.equal(record.err.message, 'boom');
  assert.match(record.err.stack, /^Error: boom\n/);
});

test('levels filter as log_level says; panic and fatal both log only fatal', () => {
  const cases: [Parameters<typeof createLogger>[0]['logLevel'], string[]][] = [
    ['trace', ['trace', 'debug', 'info', 'warning', 'error', 'fatal']],
    ['debug', ['debug', 'info', 'warning', 'error', 'fatal']],
    ['info', ['info', 'warning', 'error', 'fatal']],
    ['warn', ['warning', 'error', 'fatal']],
    ['error', ['error', 'fatal']],
    ['fatal', ['fatal']],
    ['panic', ['fatal']],
  ];
  for (const [logLevel, expected] of cases) {
    const { lines, sink } = capture();
    const log = createLogger({ logLevel, logFormat: 'json' }, sink);
    log.trace('m');
    log.debug('m');
    log.info('m');
    log.warn('m');
    log.error('m');
    log.fatal('m');
    assert.deepEqual(lines.map((l) => JSON.parse(l).level), expected, logLevel);
  }
});

test('log_path: lines are appended to the file, which is created if missing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logger-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'registrar.log');
  createLogger({ logLevel: 'info', logFormat: 'text', logPath: path }, undefined, fixedNow).info({ n: 1 }, 'first run');
  createLogger({ logLevel: 'info', logFormat: 'text', logPath: path }, undefined, fixedNow).info({ n: 2 }, 'second run');
  assert.equal(
    await readFile(path, 'utf8'),
    'time="2026-01-02T15:04:05Z" level=info msg="first run" n=1\ntime="2026-01-02T15:04:05Z" level=info msg="second run" n=2\n',
  );
  assert.equal((await stat(path)).mode & 0o777 & ~0o640, 0);
});

test('log_path: an existing file is appended to, not truncated', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'logger-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'registrar.log');
  await writeFile(path, 'old line\n');
  createLogger({ logLevel: 'info', logFormat: 'json', logPath: path }, undefined, fixedNow).info('new');
  const lines = (await readFile(path, 'utf8')).split('\n');
  assert.equal(lines[0], 'old line');
  assert.equal(JSON.parse(lines[1] as string).msg, 'new');
});

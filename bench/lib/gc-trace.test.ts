import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGcLine, summarizeGc } from './gc-trace.js';

const scavenge = (allocated: number, survived: number, promoted: number, pause: number) =>
  `[1:0x1]       32 ms: pause=${pause} mutator=27.5 gc=s reduce_memory=0 allocated=${allocated} promoted=${promoted} new_space_survived=${survived} nodes_died_in_new=17`;

test('parses scavenge and mark-compact lines, ignores log lines', () => {
  assert.deepEqual(parseGcLine(scavenge(4096, 2048, 1024, 0.6), 10), { at: 10, kind: 's', pauseMs: 0.6, allocated: 4096, promoted: 1024, survived: 2048, incrementalMs: 0 });
  assert.equal(parseGcLine('[1:0x1] 900 ms: pause=5.1 mutator=1 gc=mc allocated=10', 3)?.kind, 'mc');
  assert.equal(parseGcLine('{"level":30,"msg":"Created pod entry"}', 1), undefined);
});

test('summarises only the window, per unit of work', () => {
  const events = [
    parseGcLine(scavenge(1 << 20, 0, 0, 9), 0),
    parseGcLine(scavenge(1 << 20, 2048, 1024, 1), 5),
    parseGcLine(scavenge(1 << 20, 4096, 3072, 3), 6),
    parseGcLine('x: pause=7 gc=mc allocated=0 incremental=2.5', 7),
  ].filter((e) => e !== undefined);
  const s = summarizeGc(events, 5, 7, 2048);
  assert.equal(s.scavenges, 2);
  assert.equal(s['scavenges per 1k'], 0.98);
  assert.equal(s['KiB allocated per unit'], 1);
  assert.equal(s['KiB copied per scavenge'], 3);
  assert.equal(s['KiB promoted per scavenge'], 2);
  assert.equal(s['scavenge pause max ms'], 3);
  assert.equal(s['full GCs'], 1);
  assert.equal(s['full GC main-thread ms'], 9.5);
  assert.equal(s['full GC pause max ms'], 7);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TourResult } from '../tour/run-tour.js';
import { renderTutorial, type TourResults } from './render-tutorial.js';

const step = (id: string, output: string) => ({ id, title: id, inCluster: `cluster ${id}`, sandbox: `sandbox ${id}`, output });
const result = (mode: TourResult['mode'], ...steps: ReturnType<typeof step>[]): TourResult => ({ mode, ok: true, steps });
const results: TourResults = {
  webhook: result('webhook', step('deploy', 'namespace/spire configured'), step('log-created', 'time="x" spiffe_id="spiffe://td/b"\ntime="y" spiffe_id="spiffe://td/a"')),
  reconcile: result('reconcile'),
  crd: result('crd', step('entries', 'Entry ID : 11111111-1111-4111-8111-111111111111')),
};

test('a step marker becomes the in-cluster command and the sandbox console block; prose is kept', () => {
  const out = renderTutorial('Intro.\n<<step webhook deploy>>\nMore.', results, 1);
  assert.equal(out, 'Intro.\nIn a cluster: `cluster deploy`\n\nIn the sandbox:\n\n```console\n$ sandbox deploy\nnamespace/spire configured\n```\nMore.');
});

test('log output is sorted by SPIFFE ID with fixed times; UUIDs are replaced', () => {
  const out = renderTutorial('<<output webhook log-created>>\n<<output crd entries>>', results, 1);
  assert.match(out, /time="2026-01-01T12:00:00Z" spiffe_id="spiffe:\/\/td\/a"\ntime="2026-01-01T12:00:00Z" spiffe_id="spiffe:\/\/td\/b"/);
  assert.doesNotMatch(out, /11111111-1111/);
});

test('an unknown step is an error, not an empty block', () => {
  assert.throws(() => renderTutorial('<<step reconcile nope>>', results, 1), /no step "nope" in the reconcile tour/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, wantsTable } from './table.js';

const cases: [seconds: number, printed: string][] = [
  [-5, '<invalid>'], [0, '0s'], [119, '119s'], [120, '2m'], [125, '2m5s'], [600, '10m'], [3 * 3600 - 1, '179m'],
  [3 * 3600, '3h'], [3 * 3600 + 60, '3h1m'], [8 * 3600, '8h'], [48 * 3600, '2d'], [50 * 3600, '2d2h'], [8 * 86400, '8d'],
  [2 * 365 * 86400, '2y'], [(2 * 365 + 3) * 86400, '2y3d'], [9 * 365 * 86400, '9y'],
];
for (const [seconds, printed] of cases) {
  test(`an age of ${seconds}s prints as ${printed}`, () => assert.equal(humanDuration(seconds * 1000), printed));
}

test("kubectl get's Accept header asks for a Table; client-node's does not", () => {
  assert.equal(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), true);
  assert.equal(wantsTable('application/json, */*'), false);
  assert.equal(wantsTable(undefined), false);
});

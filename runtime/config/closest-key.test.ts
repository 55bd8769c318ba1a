import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestKey, editDistance } from './closest-key.js';

const known = ['trust_domain', 'cluster', 'server_socket_path', 'server_address', 'pod_label', 'pod_annotation', 'log_level'];

test('edit distance counts insertions, deletions, substitutions and transpositions as one each', () => {
  assert.equal(editDistance('cluster', 'cluster'), 0);
  assert.equal(editDistance('custer', 'cluster'), 1);
  assert.equal(editDistance('clusterr', 'cluster'), 1);
  assert.equal(editDistance('clustor', 'cluster'), 1);
  assert.equal(editDistance('trust_domian', 'trust_domain'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

const suggestions: [string, string | undefined][] = [
  ['trust_domian', 'trust_domain'],
  ['trustdomain', 'trust_domain'],
  ['Trust_Domain', 'trust_domain'],
  ['server_sock_path', 'server_socket_path'],
  ['pod_labels', 'pod_label'],
  ['loglevel', 'log_level'],
  ['completely_unrelated', undefined],
  ['x', undefined],
];
for (const [typo, expected] of suggestions) {
  test(`"${typo}" suggests ${expected ?? 'nothing'}`, () => {
    assert.equal(closestKey(typo, known), expected);
  });
}

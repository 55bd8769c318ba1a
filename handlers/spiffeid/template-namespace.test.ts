import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate } from '../templates/go-template.js';
import { identityShape, isOtherNamespacesIdentity } from './template-namespace.js';

const shape = (source: string, context: Record<string, string> = {}) => {
  const t = parseTemplate('identity_template', source);
  assert.ok(t.ok);
  return identityShape(t.template, context);
};

const cases: [template: string, path: string, namespace: string, refused: boolean][] = [
  ['{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}', '/payments/api', 'default', true],
  ['{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}', '/default/api', 'default', false],
  ['{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}', '/payments/api/v2', 'default', false],
  ['{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}', '/payments', 'default', false],
  ['{{.Context.Cluster}}/ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}', '/c1/ns/payments/sa/api', 'default', true],
  ['{{.Context.Cluster}}/ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}', '/c1/ns/default/sa/api', 'default', false],
  ['{{.Context.Cluster}}/ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}', '/c2/ns/payments/sa/api', 'default', false],
  // The namespace shares a segment with another name: any reading with the SpiffeID's namespace allows it.
  ['{{.Pod.Namespace}}-{{.Pod.ServiceAccount}}', '/payments-api', 'default', true],
  ['{{.Pod.Namespace}}-{{.Pod.ServiceAccount}}', '/default-x-y', 'default', false],
  ['{{.Pod.Namespace}}-{{.Pod.ServiceAccount}}', '/default-x-y', 'default-x', false],
  // The namespace in two places: both must be the SpiffeID's.
  ['{{.Pod.Namespace}}/x/{{.Pod.Namespace}}', '/a/x/a', 'b', true],
  ['{{.Pod.Namespace}}/x/{{.Pod.Namespace}}', '/b/x/b', 'b', false],
  ['{{.Pod.Namespace}}/x/{{.Pod.Namespace}}', '/b/x/a', 'b', true],
  // The namespace after names a pod's author picks, and an empty hostname.
  ['node/{{.Pod.NodeName}}/{{.Pod.Namespace}}/{{.Pod.Name}}', '/node/n1/payments/web-0', 'default', true],
  ['h{{.Pod.Hostname}}/{{.Pod.Namespace}}', '/h/payments', 'default', true],
  // Context values are literal text, whatever characters they hold.
  ['{{.Context.Region}}/{{.Pod.Namespace}}', '/eu.1/payments', 'default', true],
  ['{{.Context.Region}}/{{.Pod.Namespace}}', '/eux1/payments', 'default', false],
  // A template without the namespace gives every namespace the same IDs.
  ['sa/{{.Pod.ServiceAccount}}', '/sa/admin', 'default', false],
];
for (const [template, path, namespace, refused] of cases) {
  test(`template ${template}: ${path} from namespace ${namespace} is ${refused ? 'refused' : 'allowed'}`, () => {
    assert.equal(isOtherNamespacesIdentity(path, shape(template, { Cluster: 'c1', Region: 'eu.1' }), namespace), refused);
  });
}

test('the check costs the path length times the template\'s parts, whatever the path (no backtracking)', () => {
  const many = shape('{{.Pod.Namespace}}-{{.Pod.Name}}-{{.Pod.ServiceAccount}}-{{.Pod.NodeName}}-{{.Pod.Hostname}}-x');
  const hostile = `/${'a-'.repeat(1_000)}`;
  // Five wildcards over 2,000 characters: a backtracking regex would try ~10^12 splits; this returns at once.
  assert.equal(isOtherNamespacesIdentity(hostile, many, 'default'), false);
  assert.equal(isOtherNamespacesIdentity(`${hostile.slice(0, 600)}-x`, many, 'default'), true);
});

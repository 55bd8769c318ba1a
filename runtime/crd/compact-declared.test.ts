// The plan memo's compact declared SpiffeIDs: equal to what the controllers declared, with the repeated
// strings taken from the interner and the empty lists and maps shared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeSpiffeId } from '../../handlers/crd-node/node-spiffeid.js';
import { podSpiffeId } from '../../handlers/crd-pod/pod-spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { EMPTY_LIST, EMPTY_MAP, createInterner } from '../kube/shared-values.js';
import { compactOutcome } from './compact-declared.js';

const templates = checkCrdTemplates({ ...crdTestConfig, dnsNameTemplates: [] });
if (!templates.ok) throw new Error(templates.error);
const podOf = (name: string) =>
  aPod({ name, namespace: 'apps', nodeName: 'node-1', annotations: { 'spiffe.io/spiffe-id': 'ns/apps/web' } });
const declare = (name: string) => podSpiffeId(podOf(name), { ...crdTestConfig, podAnnotation: 'spiffe.io/spiffe-id' }, templates.templates);

test('a compacted pod declaration equals the declared one and shares its node and workload IDs through the interner', () => {
  const interned = new Set<string>();
  const table = createInterner();
  const intern = (s: string) => {
    interned.add(s);
    return table(s);
  };
  const a = declare('web-1');
  const b = declare('web-2');
  assert.equal(a.kind, 'declare');
  const ca = compactOutcome(intern, a);
  const cb = compactOutcome(intern, b);
  assert.deepEqual(ca, a);
  assert.deepEqual(cb, b);
  if (ca.kind !== 'declare' || cb.kind !== 'declare' || a.kind !== 'declare') throw new Error('not declared');
  // Built afresh per pod by the controller, one copy once compacted (checked through the interner, since
  // equal strings compare equal whether shared or not).
  assert.ok(interned.has(a.spiffeId.spec.parentId));
  assert.ok(interned.has(a.spiffeId.spec.spiffeId));
  const sel = ca.spiffeId.spec.selector;
  assert.equal(sel.podLabel, EMPTY_MAP);
  assert.equal(sel.arbitrary, EMPTY_LIST);
  assert.equal(ca.spiffeId.spec.dnsNames, EMPTY_LIST);
  assert.equal(ca.spiffeId.spec.federatesWith, EMPTY_LIST);
});

test('a node declaration compacts the same way; outcomes that declare nothing are returned as they are', () => {
  const node = nodeSpiffeId(aNode({ name: 'node-1' }), crdTestConfig);
  const interned = new Set<string>();
  const table = createInterner();
  const c = compactOutcome((s: string) => {
    interned.add(s);
    return table(s);
  }, node);
  assert.deepEqual(c, node);
  if (c.kind !== 'declare' || node.kind !== 'declare') throw new Error('not declared');
  assert.ok(interned.has(node.spiffeId.spec.parentId));
  assert.ok(interned.has(node.spiffeId.spec.spiffeId));
  assert.equal(c.spiffeId.spec.dnsNames, EMPTY_LIST);
  assert.equal(c.spiffeId.spec.federatesWith, EMPTY_LIST);
  const skip = { kind: 'skip', reason: 'pod is not scheduled to a node yet' } as const;
  assert.equal(compactOutcome(createInterner(), skip), skip);
});

test('non-empty DNS names, federation and pod labels are kept', () => {
  const d = declare('web-3');
  if (d.kind !== 'declare') throw new Error('not declared');
  const rich = {
    ...d,
    spiffeId: {
      ...d.spiffeId,
      spec: {
        ...d.spiffeId.spec,
        dnsNames: ['web-3.apps.svc'],
        federatesWith: ['other.org'],
        selector: { ...d.spiffeId.spec.selector, podLabel: { app: 'web' }, arbitrary: ['k8s:sa:web'] },
      },
    },
  };
  assert.deepEqual(compactOutcome(createInterner(), rich), rich);
});

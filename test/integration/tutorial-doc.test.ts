// docs/tutorial.md is what the sandbox tour prints now: regenerate it and compare with the committed file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { generateTutorial, TUTORIAL_PATH } from '../../runtime/sandbox/tutorial/generate-tutorial.js';

test('docs/tutorial.md matches a fresh run of the tour (regenerate with npm run docs:tutorial)', async () => {
  const fresh = await generateTutorial();
  const committed = await readFile(TUTORIAL_PATH, 'utf8');
  if (fresh === committed) return;
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  assert.fail(`docs/tutorial.md is out of date at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}\nRun npm run docs:tutorial.`);
});

test('the tutorial has no placeholder left and shows both the in-cluster and the sandbox commands', async () => {
  const text = await readFile(TUTORIAL_PATH, 'utf8');
  assert.doesNotMatch(text, /insert (command|reg entries|output)|<<(step|output) /i);
  assert.match(text, /kubectl exec -n spire spire-server-0 -c spire-server -- \/opt\/spire\/bin\/spire-server entry show/);
  assert.match(text, /\$ k8s-workload-registrar entry show -socketPath \.sandbox\/api\.sock\nFound 3 entries/);
  assert.match(text, /kubectl logs -n spire spire-server-0 -c k8s-workload-registrar \| grep "Created pod entry"/);
  for (const mode of ['webhook', 'reconcile', 'crd']) assert.match(text, new RegExp(`kubectl apply -k deploy/${mode}`));
});

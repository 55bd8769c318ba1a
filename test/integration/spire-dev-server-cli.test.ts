// Black box: the installed binary runs `dev-server` as a child process, `entry show` reads it through
// the socket, and SIGTERM stops it with the dump written.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const bin = fileURLToPath(new URL('../../bin/k8s-workload-registrar.js', import.meta.url));

/** Keeps reading stdout after the match (a destroyed pipe would fail the child's last write). */
function waitForLine(child: ChildProcess, re: RegExp): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (re.test(text)) resolve(text);
    });
    child.on('exit', () => reject(new Error(`dev-server exited before printing ${re}: ${text}`)));
  });
}

test('dev-server serves a seeded entry that entry show prints, and dumps on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-server-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = join(dir, 'seed.json');
  const dump = join(dir, 'dump.json');
  const socket = join(dir, 'api.sock');
  await writeFile(seed, JSON.stringify({ entries: [{ id: 'seed-1', spiffeId: 'spiffe://example.org/ns/default/sa/web', parentId: 'spiffe://example.org/k8s-workload-registrar/demo/node/n1',
    selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'node-name:n1' }], dnsNames: ['web-0.default.svc'] }] }));
  const child = spawn(process.execPath, [bin, 'dev-server', '-socketPath', socket, '-seed', seed, '-dump', dump], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  await waitForLine(child, /listening on unix:/);

  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'entry', 'show', '-socketPath', socket]);
  assert.equal(stdout, [
    'Found 1 entry',
    'Entry ID                : seed-1',
    'SPIFFE ID               : spiffe://example.org/ns/default/sa/web',
    'Parent ID               : spiffe://example.org/k8s-workload-registrar/demo/node/n1',
    'Revision                : 0',
    'X509-SVID TTL           : default',
    'JWT-SVID TTL            : default',
    'Selector                : k8s:node-name:n1',
    'Selector                : k8s:ns:default',
    'DNS name                : web-0.default.svc',
    '', '',
  ].join('\n'));

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  const dumped = JSON.parse(await readFile(dump, 'utf8')) as { entries: { id: string }[] };
  assert.deepEqual(dumped.entries.map((e) => e.id), ['seed-1']);
});

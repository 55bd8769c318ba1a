// TCP + mTLS to the SPIRE server with the X509-SVID from the agent's Workload API, including rotation:
// the in-memory server's Workload API on one socket, its admin-only TLS listener on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SpireCallError } from '../../adapters/entry-store.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { serviceDefinition, serviceNames } from '../../adapters/spire/protos.js';
import { startWorkloadApi } from '../../adapters/spire-memory/workload-api.js';
import { aMemorySpire, aWorkloadEntry, type SpireFixture } from '../fixtures/spire.js';
import { waitUntil } from '../fixtures/wait-until.js';

let spire: SpireFixture;

before(async () => {
  spire = await aMemorySpire({ workloadApi: true, tcpPort: 0 });
});
after(async () => spire?.close());

const agentSocket = () => join(spire.dir, 'agent.sock');
const tcpAddress = () => spire.server.tcp?.address as string;

/** The stream update reaches the client asynchronously: call until a call carries the wanted certificate. */
async function callUntilCaller(call: () => Promise<unknown>, fingerprint: string): Promise<void> {
  await waitUntil(`a call presenting certificate ${fingerprint}`, async () => {
    await call();
    return spire.server.tcp?.callerFingerprints().at(-1) === fingerprint;
  }, { intervalMs: 20 });
}

test('the client fetches its SVID from the agent and calls the server over mTLS', async (t) => {
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: agentSocket(), trustDomain: 'example.org' });
  t.after(() => client.close());
  const [created] = await client.entries.createEntries([aWorkloadEntry('tcp-1')]);
  assert.equal(created?.status.code, 0);
  assert.ok((await client.entries.listEntries()).some((e) => e.spiffeId === 'spiffe://example.org/w/tcp-1'));
  const svid = spire.server.workloadApi?.current();
  assert.equal(spire.server.tcp?.callerFingerprints().at(-1), new X509Certificate(svid?.certPem ?? '').fingerprint256);
});

test('a rotated SVID from the agent replaces the channel credentials', async (t) => {
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: agentSocket(), trustDomain: 'example.org' });
  t.after(() => client.close());
  await client.entries.countEntries();
  const before = new X509Certificate(spire.server.workloadApi?.current().certPem ?? '').fingerprint256;
  assert.equal(spire.server.tcp?.callerFingerprints().at(-1), before);
  const rotated = await spire.server.workloadApi?.rotate();
  const after = new X509Certificate(rotated?.certPem ?? '').fingerprint256;
  assert.notEqual(after, before);
  await callUntilCaller(() => client.entries.countEntries(), after);
});

test('a rotation is not a lost connection: no reconnect, so the runtime lists no entries again', async (t) => {
  // The old channel is closed once calls still on it had their deadline (callTimeoutMs); the log line says when.
  const logged: string[] = [];
  const logger = { info: (_: object, msg: string) => void logged.push(msg), warn: (_: object, msg: string) => void logged.push(msg) };
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: agentSocket(), trustDomain: 'example.org', callTimeoutMs: 5_000, logger });
  t.after(() => client.close());
  let reconnects = 0;
  // What every mode does on a reconnect: SPIRE may have restarted empty, so list it all again.
  client.onReconnect(() => {
    reconnects++;
    void client.entries.listEntries().catch(() => undefined);
  });
  await client.entries.countEntries();
  const listsBefore = spire.server.core.calls().ListEntries;
  const rotated = await spire.server.workloadApi?.rotate();
  await callUntilCaller(() => client.entries.countEntries(), new X509Certificate(rotated?.certPem ?? '').fingerprint256);
  await waitUntil('the previous channel closed', () => logged.includes('Closed the SPIRE channel of the previous credentials'));
  // The watcher follows the new channel synchronously inside the old channel's close: had it counted the
  // close as a lost connection, the listener (READY new channel) would have run by now.
  await client.entries.countEntries();
  assert.equal(reconnects, 0);
  assert.equal(spire.server.core.calls().ListEntries, listsBefore);
});

test('a caller whose SVID is not an admin gets PERMISSION_DENIED', async (t) => {
  const other = await startWorkloadApi(spire.server.core, { socketPath: join(spire.dir, 'other-agent.sock'), spiffeId: 'spiffe://example.org/not-admin' });
  t.after(() => other.close());
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: other.socketPath, trustDomain: 'example.org' });
  t.after(() => client.close());
  await assert.rejects(client.entries.listEntries(), (err: SpireCallError) => err instanceof SpireCallError && err.code === 7);
});

test('an entry with admin=true makes its SPIFFE ID an admin caller', async (t) => {
  const id = 'spiffe://example.org/promoted';
  await spire.server.entryStore.createEntries([aWorkloadEntry('promoted', { spiffeId: id, admin: true })]);
  const agent = await startWorkloadApi(spire.server.core, { socketPath: join(spire.dir, 'promoted-agent.sock'), spiffeId: id });
  t.after(() => agent.close());
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: agent.socketPath, trustDomain: 'example.org' });
  t.after(() => client.close());
  assert.ok((await client.entries.countEntries()) > 0);
});

test('a server that does not present spiffe://<td>/spire/server is refused', async (t) => {
  // Not wait-for-ready: the refused handshake is then the call's own error (waiting, it would end in
  // DEADLINE_EXCEEDED after the deadline, the registrar's choice while SPIRE may be restarting).
  const client = await connectSpire({ serverAddress: tcpAddress(), agentSocketPath: agentSocket(), trustDomain: 'other.org', retry: { maxAttempts: 1 }, waitForReady: false });
  t.after(() => client.close());
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => {
    assert.equal(err.code, 14);
    assert.match(err.message, /want spiffe:\/\/other\.org\/spire\/server/);
    return true;
  });
});

test('a TCP address without an agent socket is refused up front', async () => {
  await assert.rejects(connectSpire({ serverAddress: '127.0.0.1:8081', trustDomain: 'example.org' }), /agent_socket_path must be specified if the server is not a local socket/);
});

test('the Workload API refuses a call without the workload.spiffe.io header', async (t) => {
  const def = serviceDefinition(serviceNames.workload).FetchX509SVID as grpc.MethodDefinition<object, unknown>;
  const c = new grpc.Client(`unix://${agentSocket()}`, grpc.credentials.createInsecure());
  t.after(() => c.close());
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    const call = c.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, {}, new grpc.Metadata(), {});
    call.on('data', () => undefined);
    call.on('error', resolve);
  });
  assert.equal(err.code, 3);
  assert.match(err.details, /security header missing from request/);
});

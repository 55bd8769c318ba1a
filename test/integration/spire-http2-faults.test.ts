// The lean http2 Entry client (adapters/spire/http2-unary.ts) when things go wrong: against the
// in-memory SPIRE server over a real Unix socket (restart mid-call, deadline, abort, SPIRE gone), and
// against a bare node:http2 server on a Unix socket for what the fake never sends (GOAWAY between calls,
// truncated, malformed, oversized and extra messages, RST_STREAM, HTTP errors, trailers-only statuses).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { SpireCallError } from '../../adapters/entry-store.js';
import { connectSpire, type SpireClient } from '../../adapters/spire/connect.js';
import type { MemorySpireServer } from '../../adapters/spire-memory/start.js';
import { GrpcStatusError, grpcTimeout, http2UnaryChannel, unaryMessage } from '../../adapters/spire/http2-unary.js';
import { serviceDefinition, serviceNames } from '../../adapters/spire/protos.js';
import { restartable } from '../faults/spire-restart.js';
import { aMemorySpire, aWorkloadEntry } from '../fixtures/spire.js';
import { waitUntil } from '../fixtures/wait-until.js';

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

function warnings() {
  const lines: string[] = [];
  return { lines, logger: { info: () => {}, warn: (_o: object, msg: string) => void lines.push(msg) } };
}

test('SPIRE restarting under a call in flight: UNAVAILABLE, retried on the new connection, the loss logged once and reconnect told', async (t) => {
  const fixture = await aMemorySpire();
  t.after(() => fixture.close());
  const spire = restartable(t, fixture.server);
  const log = warnings();
  const attempts: string[] = [];
  const client = await connectSpire({ serverAddress: fixture.server.address, trustDomain: 'example.org', transport: 'http2', retry: fastRetry, logger: log.logger,
    onCall: (method, code) => void (method === 'BatchCreateEntry' && attempts.push(String(code))) });
  t.after(() => client.close());
  let reconnects = 0;
  let reconnected = () => {};
  const back = new Promise<void>((r) => (reconnected = r));
  client.onReconnect(() => {
    reconnects++;
    reconnected();
  });
  assert.deepEqual(await client.entries.listEntries(), []);

  const held = spire.server.core.faults.hold();
  const create = client.entries.createEntries([aWorkloadEntry('restart')]);
  await held.arrived;
  await spire.down();
  held.release();
  await spire.back();
  const [result] = await create;
  // The held attempt's outcome was unknown (connection dropped); the retry created it, or found it.
  assert.ok(result && [0, 6].includes(result.status.code), JSON.stringify(result));
  assert.deepEqual(spire.entries().map((e) => e.spiffeId), ['spiffe://example.org/w/restart']);
  // First attempt: UNAVAILABLE (the connection dropped under it); the last: OK, on the new connection.
  assert.equal(attempts[0], '14');
  assert.equal(attempts.at(-1), '0');
  await back;
  assert.equal(reconnects, 1);
  assert.deepEqual(log.lines.filter((l) => l === 'SPIRE connection lost; reconnecting'), ['SPIRE connection lost; reconnecting']);
});

test('SPIRE gone, not waiting for ready: UNAVAILABLE at once with the socket error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lean-gone-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const client = await connectSpire({ serverAddress: `unix://${join(dir, 'none.sock')}`, trustDomain: 'example.org', transport: 'http2', retry: { maxAttempts: 1 }, waitForReady: false });
  t.after(() => client.close());
  await assert.rejects(client.entries.listEntries(), (err: SpireCallError) => err instanceof SpireCallError && err.code === 14 && /ENOENT/.test(err.message));
});

test('the deadline cancels the call on the wire: DEADLINE_EXCEEDED, and the held write is dropped, never applied', async (t) => {
  const spire = await aMemorySpire();
  t.after(() => spire.close());
  const client = await connectSpire({ serverAddress: spire.server.address, trustDomain: 'example.org', transport: 'http2', callTimeoutMs: 200, retry: { maxAttempts: 1 } });
  t.after(() => client.close());
  const { core } = spire.server;
  core.faults.holdFrom('BatchCreateEntry', 1);
  await assert.rejects(client.entries.createEntries([aWorkloadEntry('late')]),
    (err: SpireCallError) => err.code === 4 && err.message === 'create entries (batch 1, 1 entries): Deadline exceeded');
  await releaseAfterCancelSeen(client, core);
  assert.deepEqual(core.entries(), []);
});

test('an abort cancels the call on the wire: CANCELLED, and the held write is dropped, never applied', async (t) => {
  const spire = await aMemorySpire();
  t.after(() => spire.close());
  const client = await connectSpire({ serverAddress: spire.server.address, trustDomain: 'example.org', transport: 'http2' });
  t.after(() => client.close());
  const { core } = spire.server;
  core.faults.holdFrom('BatchCreateEntry', 1);
  const abort = new AbortController();
  const create = client.entries.createEntries([aWorkloadEntry('aborted')], { signal: abort.signal });
  await waitUntil('the create to reach SPIRE', () => core.calls().BatchCreateEntry === 1);
  abort.abort();
  await assert.rejects(create, (err: SpireCallError) => err.code === 1);
  await releaseAfterCancelSeen(client, core);
  assert.deepEqual(core.entries(), []);
  // An already aborted signal sends nothing.
  core.resetCalls();
  await assert.rejects(client.entries.listEntries({}, { signal: AbortSignal.abort() }), (err: SpireCallError) => err.code === 1);
  assert.equal(core.calls().ListEntries ?? 0, 0);
});

/**
 * The client's RST_STREAM travels on the same connection ahead of a later call, so once that call is
 * answered the server has seen the cancel: then the held call is released, and must be dropped.
 */
async function releaseAfterCancelSeen(client: SpireClient, core: MemorySpireServer['core']): Promise<void> {
  await client.entries.countEntries();
  core.faults.releaseHeld();
  await waitUntil('the held create to be dropped', () => core.faults.dropped === 1);
}

// --- a bare HTTP/2 server on a Unix socket, answering as each test says ---

type Answer = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, n: number) => void;

async function bareServer(t: TestContext, answer: Answer): Promise<{ socketPath: string; sessions: () => number; requests: http2.IncomingHttpHeaders[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'lean-bare-'));
  const socketPath = join(dir, 'api.sock');
  const server = http2.createServer();
  const requests: http2.IncomingHttpHeaders[] = [];
  let sessions = 0;
  const open = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions++;
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    // A stream this server resets reports the reset to itself as an error too.
    stream.on('error', () => {});
    stream.on('data', () => {});
    stream.on('end', () => answer(stream, headers, requests.length));
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  t.after(async () => {
    for (const s of open) s.destroy();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  return { socketPath, sessions: () => sessions, requests };
}

const prefix = (len: number) => Buffer.from([0, (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255]);
const grpcOk = (stream: http2.ServerHttp2Stream, body: Buffer) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(body);
};
const countResponse = (n: number) => {
  const def = serviceDefinition(serviceNames.entry).CountEntries;
  const bytes = def?.responseSerialize({ count: n }) as Buffer;
  return Buffer.concat([prefix(bytes.length), bytes]);
};

test('sends gRPC over HTTP/2 as grpc-js does: POST, application/grpc, te: trailers, the deadline in grpc-timeout', async (t) => {
  const bare = await bareServer(t, (s) => grpcOk(s, countResponse(3)));
  const client = await connectSpire({ serverAddress: `unix://${bare.socketPath}`, trustDomain: 'example.org', transport: 'http2', callTimeoutMs: 3_500 });
  t.after(() => client.close());
  assert.equal(await client.entries.countEntries(), 3);
  const h = bare.requests[0];
  assert.equal(h?.[':method'], 'POST');
  assert.equal(h?.[':path'], '/spire.api.server.entry.v1.Entry/CountEntries');
  assert.equal(h?.['content-type'], 'application/grpc');
  assert.equal(h?.te, 'trailers');
  assert.match(String(h?.['grpc-timeout']), /^\d{1,4}m$/);
  assert.ok(Number(String(h?.['grpc-timeout']).slice(0, -1)) <= 3_500);
  assert.equal(grpcTimeout(3_500), '3500m');
  assert.equal(grpcTimeout(1e9), '1000000S');
});

test('GOAWAY between calls: the next call opens a new session and succeeds', async (t) => {
  const bare = await bareServer(t, (s, _h, n) => {
    grpcOk(s, countResponse(n));
    if (n === 1) s.session?.goaway();
  });
  const client = await connectSpire({ serverAddress: `unix://${bare.socketPath}`, trustDomain: 'example.org', transport: 'http2', retry: fastRetry });
  t.after(() => client.close());
  assert.equal(await client.entries.countEntries(), 1);
  assert.equal(await client.entries.countEntries(), 2);
  assert.equal(bare.sessions(), 2);
});

test('after a GOAWAY the next call connects at once, not after the reconnect backoff', async (t) => {
  const bare = await bareServer(t, (s, _h, n) => {
    grpcOk(s, countResponse(n));
    if (n === 1) s.session?.goaway();
  });
  let goneAway!: () => void;
  const lost = new Promise<void>((r) => (goneAway = r));
  // A backoff far beyond the call's deadline: a call that waited for it would fail DEADLINE_EXCEEDED.
  const channel = http2UnaryChannel({ socketPath: bare.socketPath, initialBackoffMs: 600_000, onLost: () => goneAway() });
  t.after(() => channel.close());
  await channel.call('/x/Y', new Uint8Array(), 5_000, true);
  await lost;
  await channel.call('/x/Y', new Uint8Array(), 5_000, true);
  assert.equal(bare.sessions(), 2);
});

test('RST_STREAM REFUSED_STREAM is UNAVAILABLE and retried; other resets are not', async (t) => {
  const bare = await bareServer(t, (s, _h, n) => {
    if (n === 1) s.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    else if (n === 2) grpcOk(s, countResponse(7));
    else s.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  });
  const client = await connectSpire({ serverAddress: `unix://${bare.socketPath}`, trustDomain: 'example.org', transport: 'http2', retry: fastRetry });
  t.after(() => client.close());
  assert.equal(await client.entries.countEntries(), 7);
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => err.code === 13 && /RST_STREAM with code 2/.test(err.message));
  assert.equal(bare.requests.length, 3);
});

test('statuses: trailers-only with a percent-encoded message, HTTP errors mapped as grpc-js maps them', async (t) => {
  const bare = await bareServer(t, (s, _h, n) => {
    if (n === 1) s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'not%20an%20admin' }, { endStream: true });
    else s.respond({ ':status': 404 }, { endStream: true });
  });
  const client = await connectSpire({ serverAddress: `unix://${bare.socketPath}`, trustDomain: 'example.org', transport: 'http2', retry: { maxAttempts: 1 } });
  t.after(() => client.close());
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => err.code === 7 && err.message === 'count entries: not an admin');
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => err.code === 12 && /HTTP status code 404/.test(err.message));
});

test('a truncated frame, a malformed message and a second message are INTERNAL / UNIMPLEMENTED, not retried', async (t) => {
  const list = serviceDefinition(serviceNames.entry).ListEntries;
  const bare = await bareServer(t, (s, _h, n) => {
    if (n === 1) grpcOk(s, Buffer.concat([prefix(100), Buffer.alloc(10)]));
    // Field 1 (entries), length 50, but only 2 bytes follow.
    else if (n === 2) grpcOk(s, Buffer.concat([prefix(4), Buffer.from([0x0a, 50, 0x0a, 0x00])]));
    else grpcOk(s, Buffer.concat([countResponse(1), countResponse(2)]));
  });
  const client = await connectSpire({ serverAddress: `unix://${bare.socketPath}`, trustDomain: 'example.org', transport: 'http2', retry: fastRetry });
  t.after(() => client.close());
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => err.code === 13 && /truncated message \(10 of 100 bytes\)/.test(err.message));
  assert.ok(list);
  await assert.rejects(client.entries.listEntries({}, { pageSize: 0 }), (err: SpireCallError) => err.code === 13 && /Response message parsing error: SPIRE response: truncated message/.test(err.message));
  await assert.rejects(client.entries.countEntries(), (err: SpireCallError) => err.code === 12 && /Too many responses received/.test(err.message));
  assert.equal(bare.requests.length, 3);
});

test('a message over the receive limit is RESOURCE_EXHAUSTED and its stream cancelled', async (t) => {
  const bare = await bareServer(t, (s) => grpcOk(s, Buffer.concat([prefix(4096), Buffer.alloc(4096)])));
  const channel = http2UnaryChannel({ socketPath: bare.socketPath, maxReceiveBytes: 1024 });
  t.after(() => channel.close());
  await assert.rejects(channel.call('/x/Y', new Uint8Array(), 5_000, true), (err: GrpcStatusError) => err.code === 8 && /larger than max/.test(err.details));
});

test('a socket that never speaks HTTP/2 fails the connection attempt (UNAVAILABLE) instead of holding calls', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lean-mute-'));
  const socketPath = join(dir, 'mute.sock');
  const sockets = new Set<net.Socket>();
  const mute = net.createServer((c) => void sockets.add(c));
  await new Promise<void>((r) => mute.listen(socketPath, r));
  t.after(async () => {
    for (const c of sockets) c.destroy();
    await new Promise((r) => mute.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  const channel = http2UnaryChannel({ socketPath, handshakeTimeoutMs: 50 });
  t.after(() => channel.close());
  await assert.rejects(channel.call('/x/Y', new Uint8Array(), 60_000, false), (err: GrpcStatusError) => err.code === 14 && /no HTTP\/2 handshake within 50 ms/.test(err.details));
});

test('unaryMessage: exactly one uncompressed message', () => {
  const one = Buffer.concat([prefix(2), Buffer.from([1, 2])]);
  assert.deepEqual([...(unaryMessage(one) as Buffer)], [1, 2]);
  assert.equal((unaryMessage(undefined) as GrpcStatusError).details, 'No message received');
  assert.equal((unaryMessage(Buffer.from([0, 0])) as GrpcStatusError).code, 13);
  assert.equal((unaryMessage(Buffer.from([1, 0, 0, 0, 0])) as GrpcStatusError).code, 13);
  assert.deepEqual([...(unaryMessage(prefix(0)) as Buffer)], []);
});

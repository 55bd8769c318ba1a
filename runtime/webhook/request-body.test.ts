import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { Hono } from 'hono';
import { readBodyText, requestHeader, type NodeBindings } from './request-body.js';

/** An app that answers with what readBodyText and requestHeader saw. */
function echoApp(maxBytes: number) {
  const app = new Hono<{ Bindings: NodeBindings }>();
  app.post('/', async (c) => {
    const text = await readBodyText(c, maxBytes);
    return c.json({ text: text ?? null, type: requestHeader(c, 'content-type') ?? null });
  });
  return app;
}

test('a body within the limit is read whole, with or without Content-Length', async () => {
  const app = echoApp(10);
  const withLength = await app.request('/', { method: 'POST', headers: { 'content-type': 'a/b', 'content-length': '6' }, body: 'héllo' });
  assert.deepEqual(await withLength.json(), { text: 'héllo', type: 'a/b' });
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('12345')); c.enqueue(new TextEncoder().encode('67890')); c.close(); } });
  const chunked = await app.request('/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.deepEqual(await chunked.json(), { text: '1234567890', type: null });
});

test('a body over the limit is refused by its Content-Length before it is read, or while it is counted', async () => {
  const app = echoApp(4);
  const declared = await app.request('/', { method: 'POST', headers: { 'content-length': '5' }, body: '12345' });
  assert.equal(((await declared.json()) as { text: unknown }).text, null);
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('123')); c.enqueue(new TextEncoder().encode('45')); c.close(); } });
  const counted = await app.request('/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.deepEqual(await counted.json(), { text: null, type: null });
});

test('under @hono/node-server, headers come from the IncomingMessage (repeated ones joined)', async () => {
  const app = new Hono<{ Bindings: NodeBindings }>();
  app.get('/', (c) => c.json({ type: requestHeader(c, 'content-type') ?? null, via: requestHeader(c, 'via') ?? null, none: requestHeader(c, 'x-none') ?? null }));
  const incoming = { headers: { 'content-type': 'application/json', via: ['a', 'b'] } } as unknown as IncomingMessage;
  const res = await app.request('/', { headers: { 'content-type': 'text/plain' } }, { incoming });
  assert.deepEqual(await res.json(), { type: 'application/json', via: 'a, b', none: null });
});

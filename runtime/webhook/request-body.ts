// Reading an admission request's headers and body without building a full web Request.
// @hono/node-server hands the app a lightweight Request that reads headers and body straight from
// Node's IncomingMessage, and builds a real (undici) Request only when something touches `body`,
// `signal` and the like. That Request costs ~25 KB per admission (a web ReadableStream over the socket,
// undici's Headers and AbortSignal wiring), and part of it stays reachable through weak references
// until the next full GC, so every scavenge copies and promotes it. Under a few hundred admissions a
// second that was most of the young-generation GC time (bench/webhook.ts).
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

const utf8 = new TextDecoder();

/** What @hono/node-server passes as the app's env; absent under `app.request` in tests. */
export type NodeBindings = { readonly incoming?: IncomingMessage };

/** A request header from Node's parsed headers when served by @hono/node-server, else from the Request. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The body as text, or undefined when it is larger than `maxBytes`. A declared Content-Length is
 * checked before anything is read (Node's parser never delivers more than it declares); a body of
 * unknown length (chunked) is counted while it is read, and reading stops once it passes the limit.
 */
export async function readBodyText(c: Context, maxBytes: number): Promise<string | undefined> {
  const length = requestHeader(c, 'content-length');
  if (length !== undefined && requestHeader(c, 'transfer-encoding') === undefined) {
    return Number.parseInt(length, 10) > maxBytes ? undefined : c.req.text();
  }
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // The rest is left unread: the server drains it after the answer (cancelling the stream would
    // destroy the socket before the 413 goes out).
    if (size > maxBytes) return undefined;
    chunks.push(value);
  }
  return utf8.decode(Buffer.concat(chunks, size));
}

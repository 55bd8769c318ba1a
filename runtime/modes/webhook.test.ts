import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { admissionMarginMs, admissionTimeoutSeconds, spireClientEnv, spireTimeoutMs, webhookSpireTransport } from './webhook.js';

test("the SPIRE deadline of a review ends well inside the shipped manifest's timeoutSeconds", async () => {
  const text = await readFile(new URL('../../deploy/webhook/validation-webhook.yaml', import.meta.url), 'utf8');
  const manifest = parse(text) as { webhooks: { timeoutSeconds: number }[] };
  const timeouts = manifest.webhooks.map((w) => w.timeoutSeconds);
  assert.deepEqual(timeouts, [admissionTimeoutSeconds]);
  assert.ok(admissionMarginMs >= 1000);
  assert.equal(spireTimeoutMs, admissionTimeoutSeconds * 1000 - admissionMarginMs);
});

test('webhook mode talks to SPIRE with the lean http2 client unless the environment asks for grpc-js', () => {
  assert.equal(webhookSpireTransport({}), 'http2');
  assert.equal(webhookSpireTransport({ [spireClientEnv]: 'grpc-js' }), 'grpc-js');
  assert.equal(webhookSpireTransport({ [spireClientEnv]: 'anything else' }), 'http2');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLineError } from './error-message.js';

test('causes are joined on one line', () => {
  const err = new Error('create pod entry', { cause: new Error('first line\n  second line') });
  assert.equal(oneLineError(err), 'create pod entry: first line second line');
});

test('a gRPC cause already quoted by its wrapper adds only its code', () => {
  const grpc = new Error('14 UNAVAILABLE: No connection established');
  const wrapped = new Error('create entries (batch 1, 1 entries): No connection established', { cause: grpc });
  assert.equal(oneLineError(new Error('create pod entry', { cause: wrapped })), 'create pod entry: create entries (batch 1, 1 entries): No connection established: 14 UNAVAILABLE');
});

test('a non-Error value is printed as text', () => {
  assert.equal(oneLineError('boom'), 'boom');
});

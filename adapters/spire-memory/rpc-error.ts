// A whole-RPC failure inside the in-memory server: the gRPC layer turns it into a gRPC status, the
// in-process EntryStore into a SpireCallError. Per-item failures are Status values, never thrown.
import type { Status } from '../../handlers/entries/status-code.js';

export class RpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
  }
}

export function status(code: number, message: string): Status {
  return { code, message };
}

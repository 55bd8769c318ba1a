// Failure on demand for fault tests: every RPC of the in-memory server passes through `before()`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { RpcError } from './rpc-error.js';

/**
 * Whether the gRPC call being served was cancelled by its client or ran past its deadline. The gRPC
 * handlers run each call inside this; after an injected delay or hold the call is dropped instead of
 * applied, as SPIRE's datastore drops a write whose request context ended.
 */
export const callCancelled = new AsyncLocalStorage<() => boolean>();

export class Faults {
  #unavailable = false;
  #delayMs = 0;
  #nth = new Map<string, { remaining: number; code: number }>();
  #hold: { arrived: () => void; released: Promise<void> } | undefined;
  #next = new Map<string, { remaining: number; code: number }>();
  #dropped = 0;
  #holdFrom: { method: string; from: number; seen: number } | undefined;
  #heldGate: { promise: Promise<void>; open: () => void } = gate();

  /** Delayed or held calls dropped because their client had cancelled them meanwhile (never applied). */
  get dropped(): number {
    return this.#dropped;
  }

  /** While on, every RPC fails with UNAVAILABLE. */
  unavailable(on: boolean): void {
    this.#unavailable = on;
  }

  /** Every RPC waits this long before answering (0 = no delay). */
  delayMs(ms: number): void {
    this.#delayMs = ms;
  }

  /**
   * Until `release()`, every RPC waits without answering, as a hung server would; `arrived` resolves when
   * the first one is waiting, so a test can act on a call in flight without guessing how long it takes.
   */
  hold(): { readonly arrived: Promise<void>; release(): void } {
    let arrived = () => {};
    let release = () => {};
    const arrivedP = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.#hold = { arrived, released };
    return {
      arrived: arrivedP,
      release: () => {
        this.#hold = undefined;
        release();
      },
    };
  }

  /**
   * Calls of `method` from the `from`-th on (1 = the next one) wait until releaseHeld(): a batch held in
   * flight at a moment the test chooses, e.g. to stop or kill the registrar while SPIRE holds it, after
   * the batches before it were applied.
   */
  holdFrom(method: string, from: number): void {
    this.#holdFrom = { method, from, seen: 0 };
  }

  /** Lets every call held by holdFrom() go on (or be dropped, if its client cancelled it meanwhile). */
  releaseHeld(): void {
    this.#holdFrom = undefined;
    this.#heldGate.open();
    this.#heldGate = gate();
  }

  /** The n-th call of `method` from now (1 = the next one) fails with `code`; later calls succeed. */
  failNth(method: string, n: number, code: number): void {
    this.#nth.set(method, { remaining: n, code });
  }

  /** The next `count` calls of `method` fail with `code`; later calls succeed. */
  failNext(method: string, count: number, code: number): void {
    this.#next.set(method, { remaining: count, code });
  }

  reset(): void {
    this.#unavailable = false;
    this.#delayMs = 0;
    this.#nth.clear();
    this.#hold = undefined;
    this.#next.clear();
    this.releaseHeld();
  }

  async before(method: string): Promise<void> {
    const hold = this.#hold;
    if (hold) {
      hold.arrived();
      await hold.released;
    }
    const from = this.#holdFrom;
    const heldFrom = from?.method === method && ++from.seen >= from.from;
    if (heldFrom) await this.#heldGate.promise;
    if (this.#delayMs > 0) await sleep(this.#delayMs);
    if ((hold || heldFrom || this.#delayMs > 0) && callCancelled.getStore()?.()) {
      this.#dropped++;
      throw new RpcError(StatusCode.CANCELLED, `${method} cancelled by the client while delayed or held (fault injected)`);
    }
    if (this.#unavailable) throw new RpcError(StatusCode.UNAVAILABLE, 'in-memory SPIRE server is unavailable (fault injected)');
    const failing = this.#next.get(method);
    if (failing) {
      failing.remaining -= 1;
      if (failing.remaining <= 0) this.#next.delete(method);
      throw new RpcError(failing.code, `${method} failed (fault injected)`);
    }
    const armed = this.#nth.get(method);
    if (armed) {
      armed.remaining -= 1;
      if (armed.remaining <= 0) {
        this.#nth.delete(method);
        throw new RpcError(armed.code, `${method} failed (fault injected)`);
      }
    }
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

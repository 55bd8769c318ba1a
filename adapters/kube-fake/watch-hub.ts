// Watch streams: newline-delimited JSON events, one serialisation per event shared by every watcher
// (a watcher whose selector the object enters or leaves gets ADDED/DELETED, as from a real server).
import type { ServerResponse } from 'node:http';
import { type FieldRequirement, type LabelRequirement, matchesFields, matchesLabels } from './selectors.js';
import { ApiError } from './status.js';
import { type ObjectStore, ResourceVersionTooOld, type StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

export type WatchRequest = {
  resource: string; // resourceKey
  kind: string;
  apiVersion: string;
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** '' or '0': start with ADDED for every current object; otherwise replay history after it. */
  resourceVersion: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
  /** Set when the client asked for Table objects (`kubectl get -w`): renders one object as a one-row Table. */
  table?: { key: string; render: (obj: KubeObject, json: string) => string };
};

type Watcher = WatchRequest & { res: ServerResponse; timer?: NodeJS.Timeout };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** Serialised event lines of one store event, keyed by event type and rendering. */
type LineCache = Map<string, string>;

export class WatchHub {
  readonly #byResource = new Map<string, Set<Watcher>>();
  /** Streams left open that receive nothing more (a frozen connection); see stall(). */
  readonly #stalled = new Set<Watcher>();
  /** While armed, the resources that already had their resuming watch answered 410 Gone; see goneOnResume(). */
  #goneServed: Set<string> | undefined;
  #lastRequest: WatchRequest | undefined;
  readonly #bookmarkTimer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(private readonly store: ObjectStore, bookmarkIntervalMs: number) {
    this.#unsubscribe = store.subscribe((e) => this.#publish(e));
    this.#bookmarkTimer = setInterval(() => this.sendBookmarks(), bookmarkIntervalMs);
    this.#bookmarkTimer.unref();
  }

  /** The most recent watch request. */
  get lastRequest(): WatchRequest | undefined {
    return this.#lastRequest;
  }

  /** Open streams, stalled ones included. */
  get size(): number {
    let n = this.#stalled.size;
    for (const set of this.#byResource.values()) n += set.size;
    return n;
  }

  /** Starts streaming on `res` (status 200 already decided); history that no longer exists ends it with 410. */
  open(req: WatchRequest, res: ServerResponse): void {
    this.#lastRequest = req;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { ...req, res };
    if (this.#takeGone(req)) {
      res.end(errorLine(new ApiError('Expired', `too old resource version: ${req.resourceVersion}`)));
      return;
    }
    if (req.resourceVersion === '' || req.resourceVersion === '0') {
      for (const o of this.store.list(req.resource, req.namespace)) {
        if (matches(w, o.obj)) res.write(line(w, 'ADDED', o.obj, o.json, new Map()));
      }
    } else {
      let history: StoreEvent[];
      try {
        history = this.store.eventsSince(req.resource, Number(req.resourceVersion) || 0);
      } catch (err) {
        if (!(err instanceof ResourceVersionTooOld)) throw err;
        res.end(errorLine(new ApiError('Expired', err.message)));
        return;
      }
      for (const e of history) write(w, e, new Map());
    }
    let set = this.#byResource.get(req.resource);
    if (!set) this.#byResource.set(req.resource, (set = new Set()));
    set.add(w);
    const remove = () => {
      if (w.timer) clearTimeout(w.timer);
      set.delete(w);
      this.#stalled.delete(w);
    };
    res.on('close', remove);
    if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
      w.timer = setTimeout(() => res.end(), req.timeoutSeconds * 1000);
      w.timer.unref();
    }
  }

  sendBookmarks(): void {
    const rv = String(this.store.resourceVersion);
    for (const set of this.#byResource.values()) {
      for (const w of set) {
        if (w.bookmarks) w.res.write(`{"type":"BOOKMARK","object":{"kind":${JSON.stringify(w.kind)},"apiVersion":${JSON.stringify(w.apiVersion)},"metadata":{"resourceVersion":"${rv}"}}}\n`);
      }
    }
  }

  /**
   * Freezes every open stream: the connection stays open and nothing more is written on it (no event,
   * no bookmark, no timeout), as behind a proxy that stopped forwarding. Watches opened later are normal.
   */
  stall(): void {
    for (const set of this.#byResource.values()) {
      for (const w of set) {
        if (w.timer) clearTimeout(w.timer);
        this.#stalled.add(w);
      }
      set.clear();
    }
  }

  /** Answers the next watch of every resource that resumes from a resourceVersion with ERROR 410 Gone (once per resource). */
  goneOnResume(): void {
    this.#goneServed = new Set();
  }

  #takeGone(req: WatchRequest): boolean {
    if (!this.#goneServed || req.resourceVersion === '' || req.resourceVersion === '0' || this.#goneServed.has(req.resource)) return false;
    this.#goneServed.add(req.resource);
    return true;
  }

  /** Ends every stream cleanly ('end') or by cutting the connection ('destroy'). */
  drop(mode: 'end' | 'destroy'): void {
    for (const w of this.#stalled) {
      if (mode === 'end') w.res.end();
      else w.res.destroy();
    }
    this.#stalled.clear();
    for (const set of this.#byResource.values()) {
      for (const w of [...set]) {
        if (mode === 'end') w.res.end();
        else w.res.destroy();
        set.delete(w);
      }
    }
  }

  /** Tells every watcher its resourceVersion expired (ERROR 410) and ends the streams. */
  expireAll(): void {
    const line = errorLine(new ApiError('Expired', 'The resourceVersion for the provided watch is too old.'));
    for (const set of this.#byResource.values()) {
      for (const w of [...set]) {
        w.res.end(line);
        set.delete(w);
      }
    }
  }

  close(): void {
    clearInterval(this.#bookmarkTimer);
    this.#unsubscribe();
    this.drop('end');
  }

  #publish(e: StoreEvent): void {
    const set = this.#byResource.get(e.resource);
    if (!set || set.size === 0) return;
    const lines: LineCache = new Map();
    for (const w of set) write(w, e, lines);
  }
}

function write(w: Watcher, e: StoreEvent, lines: LineCache): void {
  const now = matches(w, e.obj);
  const before = e.old !== undefined && matches(w, e.old);
  let type: EventType | undefined;
  if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
  else if (e.type === 'DELETED') type = before || now ? 'DELETED' : undefined;
  else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
  if (!type) return;
  w.res.write(line(w, type, e.obj, e.json, lines));
}

function line(w: Watcher, type: EventType, obj: KubeObject, json: string, lines: LineCache): string {
  const key = w.table ? `${type} ${w.table.key}` : type;
  let text = lines.get(key);
  if (text === undefined) lines.set(key, (text = `{"type":"${type}","object":${w.table ? w.table.render(obj, json) : json}}\n`));
  return text;
}

function matches(w: WatchRequest, obj: KubeObject): boolean {
  if (w.namespace !== undefined && (obj.metadata.namespace ?? '') !== w.namespace) return false;
  return matchesLabels(w.labels, obj.metadata.labels) && matchesFields(w.fields, obj);
}

function errorLine(err: ApiError): string {
  return `{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`;
}

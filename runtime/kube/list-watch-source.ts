// List and watch one Kubernetes collection as raw JSON. The list is a paged GET (limit/continue) sent
// with the KubeConfig's agent and auth headers; the watch is client-node's Watch. Objects stay raw
// JSON on both paths (client-node's typed list would turn timestamps into Dates while watch events keep
// strings), so one valibot projection reads both.
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type KubeConfig, Watch } from '../../adapters/client-node.js';
import * as v from 'valibot';

export type ListResult = { readonly items: readonly unknown[]; readonly resourceVersion: string };
export type WatchEvent = { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: unknown };

/** What an informer needs from the API server; the real one is below, tests script their own. */
export interface InformerSource {
  /** Resource name for logs and metrics, e.g. "pods". */
  readonly resource: string;
  /**
   * Lists the whole collection (all pages). With `onPage`, the items of each page may be handed to it as
   * the page arrives instead of being returned (the result then holds only what was not), so a caller
   * can keep just its projection of each page rather than every raw object of a 100,000-pod listing.
   */
  list(signal: AbortSignal, onPage?: (items: readonly unknown[]) => void): Promise<ListResult>;
  /**
   * Watches from `resourceVersion`, calling `onEvent` for each event, until the stream ends (resolves),
   * fails (rejects; an ERROR event rejects with a KubeApiError carrying its Status code, e.g. 410), or
   * `signal` aborts (resolves). No event is delivered after it settles.
   */
  watch(resourceVersion: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

/** An API server answer that was not a success: HTTP status, or the Status of a watch ERROR event. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

/** 410 Gone: the resourceVersion (or continue token) is too old; only a fresh list helps. */
export function isGone(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e instanceof KubeApiError && e.status === 410) || (e as { statusCode?: unknown }).statusCode === 410) return true;
  }
  return false;
}

const StatusSchema = v.looseObject({
  code: v.optional(v.number(), 0),
  reason: v.optional(v.string(), ''),
  message: v.optional(v.string(), ''),
});
const ListSchema = v.looseObject({
  metadata: v.optional(
    v.looseObject({ resourceVersion: v.optional(v.string(), ''), continue: v.optional(v.string(), '') }),
    {},
  ),
  items: v.optional(v.nullable(v.array(v.unknown())), []),
});
const EventTypeSchema = v.picklist(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export type CollectionRef = {
  /** "" or undefined for the core group. */
  readonly group?: string;
  readonly version: string;
  readonly plural: string;
  /** Only this namespace; all namespaces when undefined. */
  readonly namespace?: string;
};

/** "/api/v1/pods", "/apis/coordination.k8s.io/v1/namespaces/spire/leases", ... */
export function collectionPath(ref: CollectionRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${base}${ns}/${ref.plural}`;
}

export type KubeListWatchOptions = CollectionRef & {
  readonly kubeConfig: KubeConfig;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Items per list page; default 500 (client-go's pager). */
  readonly pageSize?: number;
  /** Uniform random source in [0, 1) for the server-side watch timeout; default Math.random. */
  readonly random?: () => number;
  /** Per list page; default 60 s. */
  readonly requestTimeoutMs?: number;
};

async function getJson(kc: KubeConfig, path: string, query: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the Kubernetes client configuration');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, val] of Object.entries(query)) if (val !== '') url.searchParams.set(k, val);
  const init = (await kc.applyToFetchOptions({})) as unknown as { agent?: HttpAgent; headers?: Headers };
  const headers: Record<string, string> = { accept: 'application/json' };
  init.headers?.forEach((value, key) => {
    headers[key] = value;
  });
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, agent: init.agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (cause) {
          return reject(new KubeApiError(`GET ${url.pathname}: response is not JSON`, res.statusCode ?? 0, undefined, { cause }));
        }
        if (res.statusCode === 200) return resolve(body);
        const st = v.safeParse(StatusSchema, body);
        const detail = st.success ? st.output.message : '';
        reject(new KubeApiError(`GET ${url.pathname}: HTTP ${res.statusCode} ${detail}`.trim(), res.statusCode ?? 0, st.success ? st.output.reason : undefined));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The server-side timeout of one watch: 5 – 10 minutes at random, as client-go's reflector asks for
 * (minWatchTimeout × (1 + rand)), so that many clients' watches do not all end together. A watch the server
 * never ends (a half-open connection) is the informer's to give up (watch-liveness.ts).
 */
export function watchTimeoutSeconds(random: () => number): number {
  return Math.floor(300 * (1 + Math.min(Math.max(random(), 0), 0.999)));
}

export function kubeListWatchSource(opts: KubeListWatchOptions): InformerSource {
  const path = collectionPath(opts);
  const selectors = { labelSelector: opts.labelSelector ?? '', fieldSelector: opts.fieldSelector ?? '' };
  const pageSize = opts.pageSize ?? 500;
  const random = opts.random ?? Math.random;
  const watcher = new Watch(opts.kubeConfig);

  return {
    resource: opts.plural,

    async list(signal, onPage) {
      const items: unknown[] = [];
      let cont = '';
      let resourceVersion = '';
      let page = 0;
      do {
        page++;
        const pageSignal = AbortSignal.any([signal, AbortSignal.timeout(opts.requestTimeoutMs ?? 60_000)]);
        let body: unknown;
        try {
          body = await getJson(opts.kubeConfig, path, { ...selectors, limit: String(pageSize), continue: cont }, pageSignal);
        } catch (cause) {
          throw new Error(`list ${opts.plural} (page ${page})`, { cause });
        }
        const parsed = v.safeParse(ListSchema, body);
        if (!parsed.success) throw new Error(`list ${opts.plural} (page ${page}): not a list`);
        if (onPage) onPage(parsed.output.items ?? []);
        else items.push(...(parsed.output.items ?? []));
        resourceVersion = parsed.output.metadata.resourceVersion;
        cont = parsed.output.metadata.continue;
      } while (cont !== '');
      return { items, resourceVersion };
    },

    watch(resourceVersion, onEvent, signal) {
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        let controller: AbortController | undefined;
        const settle = (err?: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          controller?.abort();
          if (err === undefined || signal.aborted) resolve();
          else reject(err);
        };
        const onAbort = () => settle();
        signal.addEventListener('abort', onAbort, { once: true });
        const params = {
          ...selectors,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: watchTimeoutSeconds(random),
        };
        watcher
          .watch(
            path,
            Object.fromEntries(Object.entries(params).filter(([, val]) => val !== '')),
            (type: string, object: unknown) => {
              if (settled) return;
              const t = v.safeParse(EventTypeSchema, type);
              if (!t.success) return;
              if (t.output === 'ERROR') {
                const st = v.safeParse(StatusSchema, object);
                const code = st.success ? st.output.code : 0;
                const message = st.success ? st.output.message : 'watch error event';
                return settle(new KubeApiError(`watch ${opts.plural}: ${message}`, code, st.success ? st.output.reason : undefined));
              }
              onEvent({ type: t.output, object });
            },
            (err: unknown) => {
              if (err === null || err === undefined) return settle();
              settle(new Error(`watch ${opts.plural}`, { cause: err }));
            },
          )
          .then(
            (c) => {
              controller = c;
              if (settled) c.abort();
            },
            (err: unknown) => settle(new Error(`watch ${opts.plural}`, { cause: err })),
          );
      });
    },
  };
}

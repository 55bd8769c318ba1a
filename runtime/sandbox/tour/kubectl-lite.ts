// What the tour does where the tutorial runs kubectl: apply, delete and get against the sandbox's API
// server through its REST API (discovery, Table printing), printing what kubectl prints. The tour works
// without a kubectl binary; with one, the same commands work against the sandbox's kubeconfig.
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { KubeRestError, type KubeRest } from '../cluster/kube-rest.js';
import { describeObject, type CoreEvent } from './kubectl-describe.js';

type ApiResource = { name: string; kind: string; namespaced: boolean };
type Resolved = { plural: string; namespaced: boolean; group: string; apiVersion: string };
type Table = { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object?: { metadata?: { namespace?: string } } }[] };

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export class KubectlLite {
  readonly #cache = new Map<string, ApiResource[]>();
  constructor(
    private readonly rest: KubeRest,
    private readonly baseUrl: string,
  ) {}

  async resolve(apiVersion: string, kind: string): Promise<Resolved> {
    let resources = this.#cache.get(apiVersion);
    if (!resources) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      resources = ((await this.rest.request('GET', path)) as { resources: ApiResource[] }).resources;
      this.#cache.set(apiVersion, resources);
    }
    const found = resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) throw new Error(`error: resource mapping not found for kind "${kind}" in version "${apiVersion}"`);
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    return { plural: found.name, namespaced: found.namespaced, group, apiVersion };
  }

  async path(obj: KubeObject, withName = true): Promise<{ path: string; label: string }> {
    const r = await this.resolve(obj.apiVersion ?? '', obj.kind ?? '');
    const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
    const name = obj.metadata.name ?? '';
    const kindLabel = (obj.kind ?? '').toLowerCase() + (r.group ? `.${r.group}` : '');
    return { path: `${base}${ns}/${r.plural}${withName ? `/${name}` : ''}`, label: kindLabel };
  }

  /** `kubectl apply`: create what is missing, merge-patch what exists; one line per object. */
  async apply(objects: readonly KubeObject[]): Promise<string> {
    const lines: string[] = [];
    for (const obj of objects) {
      const { path, label } = await this.path(obj);
      const collection = (await this.path(obj, false)).path;
      let current: KubeObject | undefined;
      try {
        current = (await this.rest.request('GET', path)) as KubeObject;
      } catch (err) {
        if (!(err instanceof KubeRestError && err.code === 404)) throw err;
      }
      if (!current) {
        await this.rest.request('POST', collection, obj);
        lines.push(`${label}/${obj.metadata.name} created`);
      } else {
        const after = (await this.rest.request('PATCH', path, obj, 'application/merge-patch+json')) as KubeObject;
        lines.push(`${label}/${obj.metadata.name} ${after.metadata.resourceVersion === current.metadata.resourceVersion ? 'unchanged' : 'configured'}`);
      }
    }
    return lines.join('\n');
  }

  /** `kubectl delete` (waits, as kubectl does by default, until each object is gone). */
  async delete(objects: readonly KubeObject[]): Promise<string> {
    const lines: string[] = [];
    for (const obj of objects) {
      const { path, label } = await this.path(obj);
      await this.rest.request('DELETE', path, { propagationPolicy: 'Background' });
      lines.push(`${label} "${obj.metadata.name}" deleted`);
      await waitUntil(`${label} "${obj.metadata.name}" to be gone`, async () => {
        try {
          await this.rest.request('GET', path);
          return false;
        } catch (err) {
          if (err instanceof KubeRestError && err.code === 404) return true;
          throw err;
        }
      });
    }
    return lines.join('\n');
  }

  /** `kubectl get <resource> -n <ns>` or `--all-namespaces`, from the server's Table (priority-0 columns). */
  async get(apiVersion: string, kind: string, namespace: string | 'all'): Promise<string> {
    const r = await this.resolve(apiVersion, kind);
    const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
    const path = `${base}${namespace === 'all' || !r.namespaced ? '' : `/namespaces/${namespace}`}/${r.plural}`;
    const res = await fetch(this.baseUrl + path, { headers: { accept: TABLE_ACCEPT } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    const table = (await res.json()) as Table;
    if (table.rows.length === 0) return namespace === 'all' ? 'No resources found' : `No resources found in ${namespace} namespace.`;
    const shown = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => c.priority === 0);
    const header = [...(namespace === 'all' ? ['NAMESPACE'] : []), ...shown.map(({ c }) => c.name.toUpperCase())];
    const rows = table.rows.map((row) => [
      ...(namespace === 'all' ? [row.object?.metadata?.namespace ?? ''] : []),
      ...shown.map(({ i }) => String(row.cells[i] ?? '')),
    ]);
    return tabulate([header, ...rows]);
  }

  /** `kubectl describe <kind> -n <ns> <name>`: the object, and its events found as kubectl finds them. */
  async describe(apiVersion: string, kind: string, namespace: string, name: string): Promise<string> {
    const { path } = await this.path({ apiVersion, kind, metadata: { name, namespace } });
    const obj = (await this.rest.request('GET', path)) as KubeObject;
    // kubectl's searchEvents: core v1 events with a field selector on the involved object.
    const selector = [`involvedObject.name=${name}`, `involvedObject.namespace=${namespace}`, `involvedObject.kind=${kind}`, `involvedObject.uid=${obj.metadata.uid ?? ''}`].join(',');
    const events = (await this.rest.request('GET', `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(selector)}`)) as { items: CoreEvent[] };
    return describeObject(obj, events.items, Date.now());
  }
}

/** kubectl's printer: columns padded to the widest cell plus three spaces, no trailing spaces. */
export function tabulate(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n');
}

/** The limit only ends a wait for something that never happens; it is generous so that load cannot reach it. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

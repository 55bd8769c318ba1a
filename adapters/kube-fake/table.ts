// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: the columns a real API server
// prints for the kinds the tutorial shows, NAME and AGE for the rest, and a CRD's additionalPrinterColumns.
import type { StoredObject } from './store.js';
import type { KubeObject, ResourceType } from './types.js';

type Column = { name: string; type: string; format: string; description: string; priority: number };
type Cell = string | number;
type Printer = { columns: Column[]; cells: (o: KubeObject, age: string, now: Date) => Cell[] };

const col = (name: string, priority = 0, type = 'string'): Column => ({ name, type, format: name === 'Name' ? 'name' : '', description: name, priority });
const obj = (x: unknown): Record<string, unknown> => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>) : {});
const arr = (x: unknown): Record<string, unknown>[] => (Array.isArray(x) ? x.map(obj) : []);
const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
const str = (x: unknown, dflt = '<none>'): string => (typeof x === 'string' && x !== '' ? x : dflt);

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [col('Name'), col('Ready'), col('Status'), col('Restarts', 0, 'string'), col('Age'), col('IP', 1), col('Node', 1), col('Nominated Node', 1), col('Readiness Gates', 1)],
    cells: (o, age) => {
      const spec = obj(o['spec']), status = obj(o['status']);
      const statuses = arr(status['containerStatuses']);
      const ready = statuses.filter((s) => s['ready'] === true).length;
      const restarts = statuses.reduce((n, s) => n + num(s['restartCount']), 0);
      const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(status['phase'], 'Pending');
      return [o.metadata.name ?? '', `${ready}/${arr(spec['containers']).length}`, phase, String(restarts), age, str(status['podIP']), str(spec['nodeName']), '<none>', '<none>'];
    },
  },
  nodes: {
    columns: [col('Name'), col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 1)],
    cells: (o, age) => {
      const status = obj(o['status']);
      const ready = arr(status['conditions']).find((c) => c['type'] === 'Ready');
      const ip = arr(status['addresses']).find((a) => a['type'] === 'InternalIP');
      return [o.metadata.name ?? '', ready?.['status'] === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown', '<none>', age, str(obj(status['nodeInfo'])['kubeletVersion'], ''), str(ip?.['address'])];
    },
  },
  namespaces: {
    columns: [col('Name'), col('Status'), col('Age')],
    cells: (o, age) => [o.metadata.name ?? '', o.metadata.deletionTimestamp ? 'Terminating' : str(obj(o['status'])['phase'], 'Active'), age],
  },
  deployments: {
    columns: [col('Name'), col('Ready'), col('Up-to-date', 0, 'integer'), col('Available', 0, 'integer'), col('Age')],
    cells: (o, age) => {
      const status = obj(o['status']);
      const replicas = obj(o['spec'])['replicas'];
      return [o.metadata.name ?? '', `${num(status['readyReplicas'])}/${typeof replicas === 'number' ? replicas : 1}`, num(status['updatedReplicas']), num(status['availableReplicas']), age];
    },
  },
  // Ref: kubernetes pkg/printers/internalversion printEvent (core v1 Events, which kubectl get events reads).
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 1), col('Source', 1), col('Message'), col('First Seen', 1), col('Count', 1), col('Name', 1)],
    cells: (o, _age, now) => {
      const involved = obj(o['involvedObject']), source = obj(o['source']), series = o['series'] === undefined ? undefined : obj(o['series']);
      const seen = (ts: unknown) => (typeof ts === 'string' && ts !== '' ? humanDuration(now.getTime() - Date.parse(ts)) : '<unknown>');
      const first = typeof o['firstTimestamp'] === 'string' ? seen(o['firstTimestamp']) : seen(o['eventTime']);
      const last = series ? seen(series['lastObservedTime']) : typeof o['lastTimestamp'] === 'string' ? seen(o['lastTimestamp']) : first;
      const count = series ? num(series['count']) : num(o['count']) || 1;
      const kind = str(involved['kind'], '').toLowerCase();
      const target = str(involved['name'], '') === '' ? kind : `${kind}/${str(involved['name'], '')}`;
      const from = [str(source['component'], '') || str(o['reportingComponent'], ''), str(source['host'], '') || str(o['reportingInstance'], '')].filter((x) => x !== '').join(', ');
      return [last, str(o['type'], ''), str(o['reason'], ''), target, str(involved['fieldPath'], ''), from, str(o['message'], '').trim(), first, count, o.metadata.name ?? ''];
    },
  },
};

const DEFAULT_PRINTER: Printer = { columns: [col('Name'), col('Age')], cells: (o, age) => [o.metadata.name ?? '', age] };

export type PrinterColumn = { name: string; type: string; jsonPath: string; priority?: number; description?: string };

/** True if the Accept header asks for a meta.k8s.io/v1 Table. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table;v=v1;g=meta\.k8s\.io|as=Table;g=meta\.k8s\.io;v=v1/.test(accept.replace(/\s/g, ''));
}

export function tableJson(type: ResourceType, items: ReadonlyArray<Pick<StoredObject, 'obj' | 'json'>>, rv: string, now: Date, extraColumns: PrinterColumn[] = []): string {
  const base = type.custom ? DEFAULT_PRINTER : (PRINTERS[type.resource] ?? DEFAULT_PRINTER);
  const custom = extraColumns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: '', description: c.description ?? c.name, priority: c.priority ?? 0 }));
  const columns = type.custom && custom.length > 0 ? [col('Name'), ...custom, ...(extraColumns.some((c) => c.name === 'Age') ? [] : [col('Age')])] : base.columns;
  const rows = items.map((o) => {
    const age = since(o.obj.metadata.creationTimestamp, now);
    const cells = type.custom && custom.length > 0
      ? [o.obj.metadata.name ?? '', ...extraColumns.map((c) => cellAt(o.obj, c, now)), ...(extraColumns.some((c) => c.name === 'Age') ? [] : [age])]
      : base.cells(o.obj, age, now);
    return `{"cells":${JSON.stringify(cells)},"object":${o.json}}`;
  });
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"${rv}"},"columnDefinitions":${JSON.stringify(columns)},"rows":[${rows.join(',')}]}`;
}

/** Evaluates a CRD printer column's simple JSONPath (`.spec.a.b`); dates print as ages. */
function cellAt(o: KubeObject, c: PrinterColumn, now: Date): Cell {
  let cur: unknown = o;
  for (const seg of c.jsonPath.replace(/^\{?\.?/, '').replace(/\}$/, '').split('.').filter((s) => s !== '')) cur = obj(cur)[seg];
  if (cur === undefined || cur === null) return '';
  if (c.type === 'date' && typeof cur === 'string') return since(cur, now);
  return typeof cur === 'number' ? cur : typeof cur === 'string' ? cur : JSON.stringify(cur);
}

function since(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(ts));
}

/** Ref: k8s.io/apimachinery/pkg/util/duration HumanDuration, the AGE column's format. */
export function humanDuration(ms: number): string {
  const s = Math.trunc(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) % 365;
  if (y < 8) return d === 0 ? `${y}y` : `${y}y${d}d`;
  return `${y}y`;
}

// JSON merge patch (RFC 7386) and the subset of strategic merge patch that kubectl's client-side apply
// sends for the built-in kinds served here: lists merged by key, and the $patch / $setElementOrder /
// $deleteFromPrimitiveList / $retainKeys directives. Custom resources accept only merge patch (as upstream).
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** Merge keys of lists whose patchStrategy is "merge" in the Kubernetes API types we serve. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', volumes: 'name',
  volumeMounts: 'mountPath', imagePullSecrets: 'name', ownerReferences: 'uid', conditions: 'type',
  hostAliases: 'ip', ports: 'containerPort', tolerations: 'key',
};
/** Lists of strings whose patchStrategy is "merge" (union) rather than replace. */
const PRIMITIVE_MERGE = new Set(['finalizers']);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') return items.some((i) => isObj(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch['$patch'] === 'delete') return undefined;
  let out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v)) { out[k] = mergeList(k, out[k], v); continue; }
    const merged = applyStrategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !v.includes(x));
    } else if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      const field = k.slice('$setElementOrder/'.length);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = reorder(field, cur, v);
    }
  }
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  return out;
}

function mergeList(field: string, current: unknown, patch: unknown[]): unknown[] {
  const cur = Array.isArray(current) ? current : [];
  if (PRIMITIVE_MERGE.has(field)) return [...cur, ...patch.filter((x) => !cur.includes(x))];
  const key = mergeKeyFor(field, [...cur, ...patch]);
  if (key === undefined || !patch.every(isObj)) return patch.map(stripDirectives);
  if (patch.some((p) => isObj(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObj(p) && p['$patch'] === 'replace')).map(stripDirectives);
  }
  const out = [...cur];
  for (const item of patch as Obj[]) {
    const at = out.findIndex((c) => isObj(c) && c[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = applyStrategicMergePatch(out[at], item);
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function reorder(field: string, items: unknown[], order: unknown[]): unknown[] {
  const key = mergeKeyFor(field, items);
  const id = (x: unknown) => (key !== undefined && isObj(x) ? x[key] : x);
  const pos = new Map(order.map((o, i) => [JSON.stringify(id(o)), i]));
  const rank = (x: unknown) => pos.get(JSON.stringify(id(x))) ?? order.length;
  return [...items].sort((a, b) => rank(a) - rank(b));
}

function stripDirectives(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripDirectives);
  if (!isObj(x)) return x;
  return Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, stripDirectives(v)]));
}

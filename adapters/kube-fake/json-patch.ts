// RFC 6902 JSON Patch (application/json-patch+json), client-node 1.x's default patch content type.
type Json = unknown;
type Op = { op?: unknown; path?: unknown; from?: unknown; value?: unknown };

export class PatchError extends Error {}

/** Applies the operations to a deep copy of `doc`; throws PatchError on a failed test or a bad path. */
export function applyJsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let out = structuredClone(doc);
  for (const raw of ops as Op[]) {
    const path = pointer(raw.path);
    switch (raw.op) {
      case 'add': out = put(out, path, structuredClone(raw.value), 'add'); break;
      case 'replace': get(out, path); out = put(out, path, structuredClone(raw.value), 'replace'); break;
      case 'remove': out = remove(out, path); break;
      case 'move': { const from = pointer(raw.from); const v = get(out, from); out = put(remove(out, from), path, v, 'add'); break; }
      case 'copy': out = put(out, path, structuredClone(get(out, pointer(raw.from))), 'add'); break;
      case 'test':
        if (JSON.stringify(get(out, path)) !== JSON.stringify(raw.value)) throw new PatchError(`test operation failed at ${String(raw.path)}`);
        break;
      default: throw new PatchError(`unknown json patch operation ${JSON.stringify(raw.op)}`);
    }
  }
  return out;
}

function pointer(p: unknown): string[] {
  if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) throw new PatchError(`invalid json pointer ${JSON.stringify(p)}`);
  return p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function container(doc: Json, path: string[]): [parent: Json, last: string] {
  if (path.length === 0) throw new PatchError('operation on the document root is not supported');
  return [get(doc, path.slice(0, -1)), path[path.length - 1]!];
}

function get(doc: Json, path: string[]): Json {
  let cur = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[index(cur, seg, false)];
    else if (cur !== null && typeof cur === 'object' && seg in cur) cur = (cur as Record<string, Json>)[seg];
    else throw new PatchError(`path /${path.join('/')} does not exist`);
  }
  return cur;
}

function put(doc: Json, path: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (path.length === 0) return value;
  const [parent, last] = container(doc, path);
  if (Array.isArray(parent)) {
    if (mode === 'replace') parent[index(parent, last, false)] = value;
    else parent.splice(last === '-' ? parent.length : index(parent, last, true), 0, value);
  } else if (parent !== null && typeof parent === 'object') {
    (parent as Record<string, Json>)[last] = value;
  } else {
    throw new PatchError(`path /${path.join('/')} has no parent object`);
  }
  return doc;
}

function remove(doc: Json, path: string[]): Json {
  const [parent, last] = container(doc, path);
  if (Array.isArray(parent)) parent.splice(index(parent, last, false), 1);
  else if (parent !== null && typeof parent === 'object' && last in parent) delete (parent as Record<string, Json>)[last];
  else throw new PatchError(`path /${path.join('/')} does not exist`);
  return doc;
}

function index(arr: Json[], seg: string, allowEnd: boolean): number {
  const i = /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : NaN;
  if (Number.isNaN(i) || i > arr.length || (!allowEnd && i === arr.length)) throw new PatchError(`array index ${seg} out of range`);
  return i;
}

// Maps a request path to what it names: a discovery document or a resource (collection, object, subresource).

export type Route =
  | { kind: 'version' | 'health' | 'core-versions' | 'groups' }
  | { kind: 'group'; group: string }
  | { kind: 'resources'; group: string; version: string }
  | { kind: 'openapi'; path: string }
  | { kind: 'resource'; group: string; version: string; resource: string; namespace?: string; name?: string; subresource?: string }
  | { kind: 'unknown' };

export function route(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const [head, ...rest] = parts;
  if (pathname === '/version' || pathname === '/version/') return { kind: 'version' };
  if (['healthz', 'livez', 'readyz'].includes(head ?? '')) return { kind: 'health' };
  if (head === 'openapi') return { kind: 'openapi', path: pathname };
  if (head === 'api') {
    if (rest.length === 0) return { kind: 'core-versions' };
    const [version, ...tail] = rest;
    if (tail.length === 0) return { kind: 'resources', group: '', version: version! };
    return resourceRoute('', version!, tail);
  }
  if (head === 'apis') {
    if (rest.length === 0) return { kind: 'groups' };
    const [group, version, ...tail] = rest;
    if (version === undefined) return { kind: 'group', group: group! };
    if (tail.length === 0) return { kind: 'resources', group: group!, version };
    return resourceRoute(group!, version, tail);
  }
  return { kind: 'unknown' };
}

/** The namespace subresources of the core group, which are not namespaced resources of that name. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function resourceRoute(group: string, version: string, tail: string[]): Route {
  const namespaceSubresource = group === '' && tail.length === 3 && NAMESPACE_SUBRESOURCES.has(tail[2]!);
  if (tail[0] === 'namespaces' && tail.length >= 3 && !namespaceSubresource) {
    const [, namespace, resource, name, subresource, ...extra] = tail;
    if (extra.length > 0) return { kind: 'unknown' };
    return { kind: 'resource', group, version, resource: resource!, namespace: namespace!, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
  }
  const [resource, name, subresource, ...extra] = tail;
  if (extra.length > 0) return { kind: 'unknown' };
  return { kind: 'resource', group, version, resource: resource!, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}

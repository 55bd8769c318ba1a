// Legacy (unaggregated) discovery documents. kubectl asks for aggregated discovery first and falls back
// to these when the answer is plain application/json.
import type { ResourceRegistry } from './resource-types.js';
import type { ResourceType } from './types.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

export function versionInfo(): Record<string, string> {
  return {
    major: '1', minor: '32', gitVersion: 'v1.32.0-fake', gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function groupList(registry: ResourceRegistry): object {
  const groups = [...registry.groups().entries()].filter(([g]) => g !== '').map(([name, types]) => apiGroup(name, types));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(registry: ResourceRegistry, name: string): object | undefined {
  const types = registry.groups().get(name);
  return name !== '' && types ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name, types) } : undefined;
}

export function resourceList(registry: ResourceRegistry, groupName: string, version: string): object | undefined {
  const types = (registry.groups().get(groupName) ?? []).filter((t) => t.versions.includes(version));
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    },
    ...(t.statusSubresource ? [{ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: STATUS_VERBS }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupName === '' ? version : `${groupName}/${version}`, resources };
}

function apiGroup(name: string, types: ResourceType[]): { name: string; versions: object[]; preferredVersion: object } {
  const versions: string[] = [];
  for (const t of types) for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
  versions.sort(byKubeVersionPriority);
  const gv = (v: string) => ({ groupVersion: `${name}/${v}`, version: v });
  return { name, versions: versions.map(gv), preferredVersion: gv(versions[0]!) };
}

/** v2 > v1 > v1beta2 > v1beta1 > v1alpha1, as Kubernetes orders versions. */
function byKubeVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2] || a.localeCompare(b);
}

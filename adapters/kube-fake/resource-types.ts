// The resources the fake API server serves: a fixed built-in set plus whatever CustomResourceDefinitions
// define at run time. Discovery, routing and storage all read this one registry.
import { type KubeObject, type ResourceType, resourceKey } from './types.js';

type BuiltIn = [group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames: string[], status: boolean];

const BUILT_INS: BuiltIn[] = [
  ['', 'v1', 'namespaces', 'Namespace', false, ['ns'], true],
  ['', 'v1', 'nodes', 'Node', false, ['no'], true],
  ['', 'v1', 'pods', 'Pod', true, ['po'], true],
  ['', 'v1', 'endpoints', 'Endpoints', true, ['ep'], false],
  ['discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, [], false],
  ['', 'v1', 'services', 'Service', true, ['svc'], true],
  ['', 'v1', 'configmaps', 'ConfigMap', true, ['cm'], false],
  ['', 'v1', 'secrets', 'Secret', true, [], false],
  ['', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa'], false],
  ['', 'v1', 'events', 'Event', true, ['ev'], false],
  ['events.k8s.io', 'v1', 'events', 'Event', true, [], false],
  ['coordination.k8s.io', 'v1', 'leases', 'Lease', true, [], false],
  ['apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], true],
  ['apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], true],
  ['apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], true],
  ['apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], true],
  ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], true],
  ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true, [], false],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true, [], false],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false, [], false],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false, [], false],
  ['admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false, [], false],
  ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false, [], false],
];

/** Resources in the `all` category (`kubectl get all`). */
const CATEGORY_ALL = new Set(['pods', 'services', 'deployments', 'replicasets', 'daemonsets', 'statefulsets']);

export const CRD_KEY = resourceKey('apiextensions.k8s.io', 'customresourcedefinitions');

export class ResourceRegistry {
  readonly #byKey = new Map<string, ResourceType>();
  /** group -> resources in registration order (for discovery). */
  readonly #byGroup = new Map<string, ResourceType[]>();

  constructor() {
    for (const [group, version, resource, kind, namespaced, shortNames, status] of BUILT_INS) {
      this.add({
        group, versions: [version], resource, kind, listKind: `${kind}List`, namespaced, shortNames,
        singular: kind.toLowerCase(), categories: CATEGORY_ALL.has(resource) ? ['all'] : [], statusSubresource: status, custom: false,
      });
    }
  }

  add(type: ResourceType): void {
    const key = resourceKey(type.group, type.resource);
    this.remove(key);
    this.#byKey.set(key, type);
    const list = this.#byGroup.get(type.group) ?? [];
    list.push(type);
    this.#byGroup.set(type.group, list);
  }

  remove(key: string): ResourceType | undefined {
    const old = this.#byKey.get(key);
    if (!old) return undefined;
    this.#byKey.delete(key);
    const rest = (this.#byGroup.get(old.group) ?? []).filter((t) => t !== old);
    if (rest.length > 0) this.#byGroup.set(old.group, rest);
    else this.#byGroup.delete(old.group);
    return old;
  }

  byKey(key: string): ResourceType | undefined {
    return this.#byKey.get(key);
  }

  /** The resource served at /api(s)/<group>/<version>/<resource>, if that version is served. */
  find(group: string, version: string, resource: string): ResourceType | undefined {
    const type = this.#byKey.get(resourceKey(group, resource));
    return type && type.versions.includes(version) ? type : undefined;
  }

  /** The resource whose objects carry this apiVersion and kind. */
  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return (this.#byGroup.get(group) ?? []).find((t) => t.kind === kind && t.versions.includes(version));
  }

  groups(): Map<string, ResourceType[]> {
    return this.#byGroup;
  }

  all(): IterableIterator<ResourceType> {
    return this.#byKey.values();
  }
}

type CrdVersion = { name?: unknown; served?: unknown; storage?: unknown; subresources?: { status?: unknown } };
type CrdSpec = {
  group?: unknown;
  scope?: unknown;
  names?: { plural?: unknown; singular?: unknown; kind?: unknown; listKind?: unknown; shortNames?: unknown; categories?: unknown };
  versions?: CrdVersion[];
};

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** The resource a CustomResourceDefinition defines, or a message saying why it defines none. */
export function resourceTypeFromCrd(crd: KubeObject): ResourceType | string {
  const spec = (crd['spec'] ?? {}) as CrdSpec;
  const group = spec.group, names = spec.names ?? {};
  if (typeof group !== 'string' || group === '') return 'spec.group: Required value';
  if (typeof names.plural !== 'string' || typeof names.kind !== 'string') return 'spec.names.plural and spec.names.kind are required';
  if (crd.metadata.name !== `${names.plural}.${group}`) return `metadata.name: Invalid value: must be spec.names.plural+"."+spec.group`;
  const versions = (spec.versions ?? []).filter((v) => v.served !== false && typeof v.name === 'string');
  if (versions.length === 0) return 'spec.versions: Required value: must have at least one served version';
  const storage = versions.find((v) => v.storage === true) ?? versions[0]!;
  const ordered = [storage, ...versions.filter((v) => v !== storage)];
  return {
    group,
    versions: ordered.map((v) => v.name as string),
    resource: names.plural,
    singular: typeof names.singular === 'string' && names.singular !== '' ? names.singular : names.kind.toLowerCase(),
    kind: names.kind,
    listKind: typeof names.listKind === 'string' ? names.listKind : `${names.kind}List`,
    namespaced: spec.scope !== 'Cluster',
    shortNames: strings(names.shortNames),
    categories: strings(names.categories),
    statusSubresource: versions.some((v) => v.subresources?.status !== undefined),
    custom: true,
  };
}

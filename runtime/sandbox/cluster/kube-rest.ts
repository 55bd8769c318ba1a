// The few REST calls the simulated cluster and the tour make against the sandbox's API server, with the
// server's own Status message in the error (so a failure reads like kubectl's "Error from server").
import type { ObjectRef } from './cluster-objects.js';

/** Plural resource names of the kinds addressed by path here (discovery is not needed for these). */
const PLURALS: Readonly<Record<string, string>> = {
  Pod: 'pods',
  Node: 'nodes',
  Namespace: 'namespaces',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  DaemonSet: 'daemonsets',
  StatefulSet: 'statefulsets',
  Service: 'services',
  EndpointSlice: 'endpointslices',
};

export class KubeRestError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

export type KubeRest = {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
};

export function kubeRest(baseUrl: string): KubeRest {
  return {
    async request(method, path, body, contentType = 'application/json') {
      const res = await fetch(baseUrl + path, {
        method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const parsed: unknown = text === '' ? undefined : JSON.parse(text);
      if (!res.ok) {
        const status = (parsed ?? {}) as { message?: string; reason?: string };
        throw new KubeRestError(`${method} ${path}: ${status.message ?? `HTTP ${res.status}`}`, res.status, status.reason ?? '');
      }
      return parsed;
    },
  };
}

/** The REST path of a built-in object (or of its collection when `name` is omitted). */
export function objectPath(ref: Omit<ObjectRef, 'name'> & { name?: string }): string {
  const plural = PLURALS[ref.kind];
  if (!plural) throw new Error(`no REST path known for kind ${ref.kind}`);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${base}${ns}/${plural}${ref.name ? `/${encodeURIComponent(ref.name)}` : ''}`;
}

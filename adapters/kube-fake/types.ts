// Shapes the fake Kubernetes API server stores and serves. Objects are plain JSON, as on the wire.

export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export type ObjectMeta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
};

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
};

/** One REST resource the server knows, built in or defined by a CustomResourceDefinition. */
export type ResourceType = {
  group: string; // '' for the core group
  versions: string[]; // served versions, preferred first
  resource: string; // plural, e.g. 'pods'
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
  /** Set for resources defined by a CustomResourceDefinition. */
  custom: boolean;
};

/** Storage key of a resource: versions share one store, as in a real API server. */
export function resourceKey(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

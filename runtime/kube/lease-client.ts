// The one coordination.k8s.io/v1 Lease that leader election reads and writes, behind a small interface
// so the elector can be tested against an in-memory lease and run against the API server.
import { ApiException, CoordinationV1Api, type KubeConfig, V1MicroTime, type V1Lease } from '../../adapters/client-node.js';

export type LeaseSpec = {
  /** '' when nobody holds the lease (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** Milliseconds since the epoch. */
  readonly acquireTime: number | undefined;
  readonly renewTime: number | undefined;
  readonly leaseTransitions: number;
};

export type LeaseRecord = LeaseSpec & { readonly resourceVersion: string };

/** 409: somebody else wrote the lease first (stale resourceVersion on update, AlreadyExists on create). */
export class LeaseConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LeaseConflictError';
  }
}

export interface LeaseClient {
  /** `undefined` when the lease does not exist yet. */
  get(): Promise<LeaseRecord | undefined>;
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  /** Compare-and-swap on `resourceVersion`. */
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

function toMillis(t: unknown): number | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  const ms = new Date(t as string | Date).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function fromLease(l: V1Lease): LeaseRecord {
  return {
    holderIdentity: l.spec?.holderIdentity ?? '',
    leaseDurationSeconds: l.spec?.leaseDurationSeconds ?? 0,
    acquireTime: toMillis(l.spec?.acquireTime),
    renewTime: toMillis(l.spec?.renewTime),
    leaseTransitions: l.spec?.leaseTransitions ?? 0,
    resourceVersion: l.metadata?.resourceVersion ?? '',
  };
}

function toLease(namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): V1Lease {
  const micro = (ms: number | undefined) => (ms === undefined ? undefined : new V1MicroTime(ms));
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: micro(spec.acquireTime),
      renewTime: micro(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

const statusOf = (err: unknown) => (err instanceof ApiException ? (err.code as number) : undefined);

export function kubeLeaseClient(kc: KubeConfig, namespace: string, name: string): LeaseClient {
  const api = kc.makeApiClient(CoordinationV1Api);
  const what = `lease ${namespace}/${name}`;
  return {
    async get() {
      try {
        return fromLease(await api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw new Error(`get ${what}`, { cause: err });
      }
    },
    async create(spec) {
      try {
        return fromLease(await api.createNamespacedLease({ namespace, body: toLease(namespace, name, spec) }));
      } catch (err) {
        if (statusOf(err) === 409) throw new LeaseConflictError(`create ${what}: already exists`, { cause: err });
        throw new Error(`create ${what}`, { cause: err });
      }
    },
    async update(spec, resourceVersion) {
      try {
        return fromLease(
          await api.replaceNamespacedLease({ name, namespace, body: toLease(namespace, name, spec, resourceVersion) }),
        );
      } catch (err) {
        if (statusOf(err) === 409) throw new LeaseConflictError(`update ${what}: resourceVersion changed`, { cause: err });
        throw new Error(`update ${what}`, { cause: err });
      }
    },
  };
}

// Runs one contract suite against every available SPIRE server: the in-memory server over gRPC on a
// real Unix socket, always; and a real SPIRE server when SPIRE_CONTRACT_SOCKET (and
// SPIRE_CONTRACT_TRUST_DOMAIN, default example.org) are set. Tests talk wire-level messages, because the
// rules are about the server. Every entry a test creates sits under a per-run path and is deleted after.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { type ServiceName, serviceDefinition, serviceNames } from '../../adapters/spire/protos.js';
import type * as W from '../../adapters/spire/wire-types.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';

export type Target = {
  readonly name: string;
  readonly trustDomain: string;
  /** Trust domains that have a federated bundle on the server (empty: federation rules are skipped). */
  readonly federated: readonly string[];
  /** Unique per run: `/<prefix>/...` paths keep runs apart on a shared real server. */
  readonly prefix: string;
  id(path: string): W.WireSpiffeId;
  call<Res>(service: ServiceName, method: string, req: object): Promise<Res>;
  /** Creates entries (results in order) and remembers them for clean-up. */
  create(entries: Partial<W.WireEntry>[], outputMask?: W.WireEntryMask): Promise<W.EntryResultWire[]>;
};

export function entryCall<Res>(t: Target, method: string, req: object): Promise<Res> {
  return t.call<Res>(serviceNames.entry, method, req);
}

export async function rejectsWith(p: Promise<unknown>, code: number, message: RegExp | string): Promise<void> {
  await assert.rejects(p, (err: grpc.ServiceError) => {
    assert.equal(err.code, code, `code (details: ${err.details})`);
    if (typeof message === 'string') assert.equal(err.details, message);
    else assert.match(err.details, message);
    return true;
  });
}

function makeTarget(name: string, address: string, trustDomain: string, federated: readonly string[]): Target & { client: grpc.Client; cleanup(): Promise<void> } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const prefix = `/contract-${randomBytes(4).toString('hex')}`;
  const call = <Res>(service: ServiceName, method: string, req: object) => new Promise<Res>((resolve, reject) => {
    const def = serviceDefinition(service)[method];
    if (!def) throw new Error(`${service}/${method} unknown`);
    client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize as (b: Buffer) => Res, req, new grpc.Metadata(),
      { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
  const target = {
    name, trustDomain, federated, prefix, client,
    id: (path: string): W.WireSpiffeId => ({ trust_domain: trustDomain, path }),
    call,
    async create(entries: Partial<W.WireEntry>[], outputMask?: W.WireEntryMask) {
      const res = await call<W.BatchEntryResponse>(serviceNames.entry, 'BatchCreateEntry', { entries, output_mask: outputMask ?? null });
      return res.results;
    },
    async cleanup() {
      const all = await call<W.ListEntriesResponse>(serviceNames.entry, 'ListEntries', {});
      const ours = all.entries.filter((e) => [e.spiffe_id, e.parent_id].some((id) => id?.path.startsWith(`${prefix}/`))).map((e) => e.id);
      if (ours.length > 0) await call(serviceNames.entry, 'BatchDeleteEntry', { ids: ours });
      client.close();
    },
  };
  return target;
}

/** Declares `suite` once per target, inside a describe named after the target. */
export function forEachTarget(title: string, suite: (t: () => Target) => void): void {
  describe(`${title} [in-memory server over gRPC]`, () => {
    let dir = '';
    let current: ReturnType<typeof makeTarget> | undefined;
    let close = async () => undefined as void;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'spire-contract-'));
      const server = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), federatedTrustDomains: ['fed-a.test', 'fed-b.test'] });
      current = makeTarget('memory', server.address, server.trustDomain, ['fed-a.test', 'fed-b.test']);
      close = () => server.close();
    });
    after(async () => {
      await current?.cleanup();
      await close();
      await rm(dir, { recursive: true, force: true });
    });
    suite(() => current as Target);
  });

  const socket = process.env.SPIRE_CONTRACT_SOCKET;
  describe(`${title} [real SPIRE server]`, { skip: socket ? false : 'set SPIRE_CONTRACT_SOCKET=/path/to/api.sock to run against a real server' }, () => {
    let current: ReturnType<typeof makeTarget> | undefined;
    before(() => {
      const federated = (process.env.SPIRE_CONTRACT_FEDERATED ?? '').split(',').filter(Boolean);
      current = makeTarget('real', `unix://${socket}`, process.env.SPIRE_CONTRACT_TRUST_DOMAIN ?? 'example.org', federated);
    });
    after(async () => current?.cleanup());
    suite(() => current as Target);
  });
}

/** A valid entry under the run's prefix; `n` keeps tuples apart. */
export function anEntry(t: Target, n: string, overrides: Partial<W.WireEntry> = {}): Partial<W.WireEntry> {
  return {
    spiffe_id: t.id(`${t.prefix}/workload/${n}`),
    parent_id: t.id(`${t.prefix}/node`),
    selectors: [{ type: 'unix', value: `uid:${n}` }],
    ...overrides,
  };
}

// startMemorySpireServer: the in-memory SPIRE server over real gRPC on a Unix socket (what
// `k8s-workload-registrar dev-server` and the integration tests run), optionally with a Workload API
// on a second socket and an admin-only mTLS listener on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import { rm } from 'node:fs/promises';
import type { EntryStore } from '../entry-store.js';
import { entryFromWire, entryToWire } from '../spire/entry-convert.js';
import type { BatchSizes } from '../spire/entry-rpc.js';
import type { SvidMinter } from '../svid-minter.js';
import { MemorySpireCore, type MemorySpireCoreOptions } from './core.js';
import { memoryEntryStore } from './entry-store.memory.js';
import { addSpireServices, bindAsync, shutdown } from './grpc-services.js';
import { readSeedFile, writeDumpFile } from './seed-file.js';
import { memorySvidMinter } from './svid-minter.memory.js';
import { startTcpListener, type TcpListener } from './tcp-listener.js';
import { startWorkloadApi, type WorkloadApiServer } from './workload-api.js';

export type MemorySpireServerOptions = MemorySpireCoreOptions & {
  readonly socketPath: string;
  /** Serve the Workload API here, handing out an X509-SVID for `workloadSpiffeId`. */
  readonly workloadApiSocketPath?: string;
  /** Default `spiffe://<td>/k8s-workload-registrar`; treated as an admin by the TCP listener. */
  readonly workloadSpiffeId?: string;
  /** Also listen on 127.0.0.1 with mTLS (port 0 = any free port). */
  readonly tcpPort?: number;
  readonly seedFile?: string;
  /** Written by close(). */
  readonly dumpFile?: string;
  /** Batch and page sizes of `.entryStore`. */
  readonly batchSizes?: BatchSizes;
  /** Serve this core (its entries, CA and faults) instead of a new one: a restart that keeps its data. */
  readonly core?: MemorySpireCore;
};

export type MemorySpireServer = {
  readonly socketPath: string;
  /** `unix://<socketPath>`, a server address for connectSpire. */
  readonly address: string;
  readonly trustDomain: string;
  readonly core: MemorySpireCore;
  readonly entryStore: EntryStore;
  readonly svidMinter: SvidMinter;
  readonly workloadApi?: WorkloadApiServer;
  readonly tcp?: TcpListener;
  close(): Promise<void>;
};

export async function startMemorySpireServer(options: MemorySpireServerOptions): Promise<MemorySpireServer> {
  const core = options.core ?? (await MemorySpireCore.create(options));
  if (options.seedFile) {
    const seeded = await core.batchCreateEntry({ entries: (await readSeedFile(options.seedFile)).map(entryToWire) });
    const failed = seeded.results.filter((r) => r.status.code !== 0);
    if (failed.length > 0) throw new Error(`seed file ${options.seedFile}: ${failed.map((r) => r.status.message).join('; ')}`);
    core.resetCalls();
  }
  const workloadSpiffeId = options.workloadSpiffeId ?? `spiffe://${core.trustDomain}/k8s-workload-registrar`;
  await rm(options.socketPath, { force: true });
  const server = new grpc.Server();
  addSpireServices(server, core);
  await bindAsync(server, `unix:${options.socketPath}`, grpc.ServerCredentials.createInsecure());
  let workloadApi: WorkloadApiServer | undefined;
  let tcp: TcpListener | undefined;
  try {
    if (options.workloadApiSocketPath) {
      await rm(options.workloadApiSocketPath, { force: true });
      workloadApi = await startWorkloadApi(core, { socketPath: options.workloadApiSocketPath, spiffeId: workloadSpiffeId });
    }
    if (options.tcpPort !== undefined) tcp = await startTcpListener(core, { port: options.tcpPort, adminIds: () => [workloadSpiffeId] });
  } catch (err) {
    await Promise.all([shutdown(server), workloadApi?.close()]);
    throw err;
  }
  let closed = false;
  return {
    socketPath: options.socketPath,
    address: `unix://${options.socketPath}`,
    trustDomain: core.trustDomain,
    core,
    entryStore: memoryEntryStore(core, options.batchSizes),
    svidMinter: memorySvidMinter(core),
    ...(workloadApi ? { workloadApi } : {}),
    ...(tcp ? { tcp } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([shutdown(server), workloadApi?.close(), tcp?.close()]);
      if (options.dumpFile) await writeDumpFile(options.dumpFile, core.entries().map(entryFromWire));
    },
  };
}

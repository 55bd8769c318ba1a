// SPIRE going away and coming back, for fault tests: the in-memory server on the same Unix socket is
// stopped (the socket disappears: clients see `connect ENOENT`, as when the SPIRE container restarts)
// and started again, either serving the same core (its data kept) or a fresh one (SPIRE lost its data).
import type { TestContext } from 'node:test';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import type { Entry } from '../../handlers/entries/entry.js';

export type RestartableSpire = {
  /** The server now serving (or last served). */
  readonly server: MemorySpireServer;
  readonly up: boolean;
  down(): Promise<void>;
  /** `empty`: a new core, as a SPIRE server whose datastore was lost. */
  back(opts?: { empty?: boolean }): Promise<void>;
  entries(): Entry[];
};

export function restartable(t: TestContext, first: MemorySpireServer): RestartableSpire {
  let server = first;
  let up = true;
  return {
    get server() {
      return server;
    },
    get up() {
      return up;
    },
    async down() {
      await server.close();
      up = false;
    },
    async back(opts = {}) {
      server = await startMemorySpireServer({
        socketPath: first.socketPath,
        trustDomain: first.trustDomain,
        ...(opts.empty ? {} : { core: server.core }),
      });
      const s = server;
      t.after(() => s.close());
      up = true;
    },
    entries: () => server.core.entries().map(entryFromWire),
  };
}

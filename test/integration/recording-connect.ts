// A replica's SPIRE connection for leader tests: every write call (create, update, delete) is told to
// `onWrite` before it is sent, so a test sees which replica wrote and in what order; `dead()` true makes
// every call fail at once, as for a process that was killed (its write attempts are still told first).
import { SpireCallError, type EntryStore } from '../../adapters/entry-store.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import type { ReconcileConfig } from '../../runtime/config/registrar-config.js';

export function recordingConnect(name: string, onWrite: (who: string) => void, dead: () => boolean = () => false) {
  return async (cfg: ReconcileConfig) => {
    const client = await connectSpire({ serverAddress: cfg.serverAddress, trustDomain: cfg.trustDomain });
    const s = client.entries;
    const gate = <T>(call: () => Promise<T>, write: boolean): Promise<T> => {
      if (write) onWrite(name);
      if (dead()) return Promise.reject(new SpireCallError(`${name} is dead`, 14));
      return call();
    };
    const entries: EntryStore = {
      listEntries: (f, o) => gate(() => s.listEntries(f, o), false),
      getEntry: (id, o) => gate(() => s.getEntry(id, o), false),
      countEntries: (f, o) => gate(() => s.countEntries(f, o), false),
      createEntries: (e, o) => gate(() => s.createEntries(e, o), true),
      updateEntries: (e, m, o) => gate(() => s.updateEntries(e, m, o), true),
      deleteEntries: (ids, o) => gate(() => s.deleteEntries(ids, o), true),
      close: () => s.close(),
    };
    return { entries, close: () => client.close() };
  };
}

// The in-memory SPIRE server in a process of its own (bench/lib/spire-process.ts starts it): serves the
// socket named by argv[2] and answers the parent's control messages over the IPC channel.
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import type { SpireControl } from './spire-process.js';

const socketPath = process.argv[2];
if (!socketPath || !process.send) throw new Error('usage: fork(spire-process-child.ts, [socketPath]) with an IPC channel');
const server = await startMemorySpireServer({ socketPath, trustDomain: 'example.org' });

process.on('message', (m: SpireControl) => {
  const reply = (result: unknown) => process.send?.({ id: m.id, result });
  switch (m.op) {
    case 'delayMs':
      server.core.faults.delayMs(m.value ?? 0);
      return reply(null);
    case 'resetCalls':
      server.core.resetCalls();
      return reply(null);
    case 'calls':
      return reply(server.core.calls());
    case 'count':
      return reply(server.core.entries().length);
    case 'close':
      // Exiting writes the probe file (bench/lib/latency-probe.js), if one was preloaded.
      void server.close().then(() => {
        reply(null);
        process.disconnect();
        process.exit(0);
      });
  }
});
process.send({ id: 0, result: 'ready' });

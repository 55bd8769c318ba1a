// temporary: heap snapshot of the registrar after convergence (not committed)
import { readdirSync } from 'node:fs';
import { startBenchWorld, expectedReconcileEntries } from './lib/cluster.js';
import { crdHcl, reconcileHcl, startRegistrar } from './lib/registrar-process.js';
const mode = process.argv[2] ?? 'reconcile';
const pods = Number(process.argv[3] ?? 10000);
const world = await startBenchWorld({ nodes: pods / 20, pods, crd: mode === 'crd' });
const n = mode === 'crd' ? pods + pods / 20 : expectedReconcileEntries(world).length;
const reg = await startRegistrar({ dir: world.dir, hcl: mode === 'crd' ? crdHcl(world.spire.socketPath) : reconcileHcl(world.spire.socketPath), kubeconfig: (p) => world.kube.writeKubeconfig(p), watchMessages: [], nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=/tmp/scale-prof`] });
await world.tracker.until('all', () => world.tracker.count === n, 600_000);
await new Promise((r) => setTimeout(r, mode === 'crd' ? 60000 : 15000));
console.log('peak', reg.peakRssMiB(), 'rss', reg.rssMiB());
process.kill(reg.pid, 'SIGUSR2');
for (let i = 0; i < 240 && !readdirSync('/tmp/scale-prof').some((f) => f.endsWith('.heapsnapshot')); i++) await new Promise((r) => setTimeout(r, 500));
import { statSync } from 'node:fs';
let last = -1;
for (;;) { await new Promise((r) => setTimeout(r, 2000)); const f = readdirSync('/tmp/scale-prof').find((f) => f.endsWith('.heapsnapshot'))!; const sz = statSync('/tmp/scale-prof/' + f).size; if (sz > 0 && sz === last) break; last = sz; }
console.log('peak', reg.peakRssMiB(), 'rss', reg.rssMiB());
await reg.stop();
await world.close();
process.exit(0);

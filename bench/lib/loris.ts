// The slow-loris attacker for bench/slow-loris.ts, as its own process so that its sockets, handshakes and
// timers do not share an event loop (or a measurement) with the harness's good client. Keeps `count`
// slow connections open to 127.0.0.1:<port>, reopening each one the server closes: even ones are plain
// TCP connections that never start a TLS handshake, odd ones mTLS connections (a valid client
// certificate, the worst case) that trickle one header byte every `trickleMs` and never finish.
// On SIGTERM it prints how many connections the server cut and exits.
//   node --import tsx bench/lib/loris.ts <port> <count> <trickleMs> <ca.pem> <cert.pem> <key.pem>
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const [port, count, trickleMs] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const [caPath, certPath, keyPath] = process.argv.slice(5, 8) as [string, string, string];
const clientTls = { ca: readFileSync(caPath), cert: readFileSync(certPath), key: readFileSync(keyPath) };

let stopped = false;
let cut = 0;
const sockets = new Set<net.Socket>();

function trickle(socket: tls.TLSSocket): void {
  const header = `POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(1000)}`;
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= header.length) return clearInterval(timer);
    socket.write(header[at++] as string);
  }, trickleMs);
  socket.once('close', () => clearInterval(timer));
}

function open(i: number): void {
  if (stopped) return;
  const socket: net.Socket = i % 2 === 0
    ? net.connect({ host: '127.0.0.1', port })
    : tls.connect({ host: '127.0.0.1', port, ...clientTls }, () => trickle(socket as tls.TLSSocket));
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.once('close', () => {
    sockets.delete(socket);
    if (stopped) return;
    cut++;
    // Reopen on a later turn, not in the close handler: a refused connection would otherwise spin.
    setTimeout(() => open(i), 10);
  });
}

for (let i = 0; i < count; i++) open(i);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  stopped = true;
  for (const s of sockets) s.destroy();
  process.stdout.write(`cut ${cut}\n`);
  process.exit(0);
});

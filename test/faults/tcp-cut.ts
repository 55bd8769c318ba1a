// A TCP forwarder on 127.0.0.1 in front of the fake API server, for one replica: `partition()` drops
// every connection and makes new ones hang (packets lost, as behind a network partition), `heal()`
// forwards again. Other replicas talk to the API server directly and see nothing of it.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type TcpCut = { readonly url: string; partition(): void; heal(): void; close(): Promise<void> };

export async function tcpCut(targetPort: number): Promise<TcpCut> {
  let cut = false;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (cut) return; // accepted, never answered: the client's request hangs until its own deadline
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp-cut: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    partition() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

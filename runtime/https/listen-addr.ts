// Go-style listen addresses as the original registrar's config used them (`addr = ":8443"`):
// "host:port", ":port" (every interface), "[v6]:port". Port 0 asks the kernel for a free port.

export type ListenAddr = { readonly host: string | undefined; readonly port: number };

export function parseListenAddr(addr: string): ListenAddr {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`invalid listen address "${addr}": expected host:port, :port or [ipv6]:port`);
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? undefined : host, port };
}

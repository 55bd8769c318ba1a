// Go-style listen addresses as the original registrar's `metrics_addr` / `metrics_bind_addr` took them:
// ":8080" is every interface on port 8080, "127.0.0.1:0" a random local port, "[::1]:9090" IPv6, and
// "0" turns the listener off (controller-runtime's convention for its metrics server).

export type ListenAddr = { readonly host: string | undefined; readonly port: number };

/** `undefined` means disabled. Throws on anything that is not `[host]:port` or "0". */
export function parseListenAddr(addr: string): ListenAddr | undefined {
  const s = addr.trim();
  if (s === '0') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) {
    throw new Error(`invalid listen address "${addr}": want [host]:port, e.g. ":8080", or "0" to disable`);
  }
  const host = m[1] ?? m[2];
  return { host: host ? host : undefined, port };
}

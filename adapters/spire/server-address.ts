// How the registrar reaches the SPIRE server: `unix:///path` (or `unix:/path`) is a local socket with
// no TLS; anything else is `host:port` over TCP with mTLS. Ref: the original's server_address handling.
// The gRPC target is always `unix:<path>`: in `unix://<path>` a relative path's first segment would be
// read as an authority (`unix://.sandbox/api.sock` dials `api.sock`).
export type ServerTarget = { readonly kind: 'unix'; readonly path: string; readonly target: string } | { readonly kind: 'tcp'; readonly target: string };

export function parseServerAddress(address: string): ServerTarget {
  if (address.startsWith('unix://')) {
    const path = address.slice('unix://'.length);
    return { kind: 'unix', path, target: `unix:${path}` };
  }
  if (address.startsWith('unix:')) {
    const path = address.slice('unix:'.length);
    return { kind: 'unix', path, target: `unix:${path}` };
  }
  return { kind: 'tcp', target: address.replace(/^(dns:\/\/\/|tcp:\/\/)/, '') };
}

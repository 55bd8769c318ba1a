// A one-shot HTTPS client for the webhook integration tests: a fresh connection per request (agent:
// false), so every request performs its own TLS handshake and sees the certificate served right now.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export type ClientTls = {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  /** Name to verify the server certificate against (and send as SNI) instead of the URL's host. */
  readonly servername?: string;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  /** OpenSSL cipher list the client offers. */
  readonly ciphers?: string;
};
export type ClientResponse = {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** SHA-256 fingerprint of the server's certificate in this handshake. */
  readonly serverFingerprint: string;
};

export function httpsRequest(
  url: string,
  tls: ClientTls,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false, ...tls },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            serverFingerprint: fingerprint,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export function postJson(url: string, tls: ClientTls, body: unknown): Promise<ClientResponse> {
  return httpsRequest(url, tls, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

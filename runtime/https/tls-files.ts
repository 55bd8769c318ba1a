// The serving certificate, its key and the client CA, read from disk. Kubernetes mounts Secrets and
// ConfigMaps as symlinks (`cert.pem -> ..data/cert.pem`, `..data -> ..2026_01_01...`) and rotates them by
// swapping `..data`, so the paths never change while their content does: we compare content, not names.
// Each file must be a regular file of at most 1 MiB (runtime/read-regular-file.ts), and all three are
// checked together before use (checkTlsFiles): Node's TLS silently skips a CA file that holds no
// certificate, which would refuse every client, i.e. an admission outage announced as a reload.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { maxPemFileBytes, readRegularFile } from '../read-regular-file.js';

export type TlsPaths = { readonly certPath: string; readonly keyPath: string; readonly caPath?: string };
export type TlsFiles = { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };

type FileRole = 'certificate' | 'private key' | 'CA certificate';
type Read = { readonly data: Buffer } | { readonly role: FileRole; readonly failure: string; readonly cause: unknown };

/** Which files could not be read or used (in the order certificate, private key, CA certificate). */
export class TlsFilesError extends Error {
  constructor(
    readonly unreadable: readonly FileRole[],
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Reads the files at once. When any is unreadable the error names every unreadable one, always in the
 * order certificate, private key, CA certificate (the reads race; the message must not), with the first
 * failure as its cause.
 */
export async function readTlsFiles(paths: TlsPaths): Promise<TlsFiles> {
  const read = (role: FileRole, path: string): Promise<Read> =>
    readRegularFile(path, maxPemFileBytes).then(
      (data) => ({ data }),
      (cause: unknown) => ({ role, failure: `read ${role} ${path}`, cause }),
    );
  const [cert, key, ca] = await Promise.all([
    read('certificate', paths.certPath),
    read('private key', paths.keyPath),
    paths.caPath === undefined ? undefined : read('CA certificate', paths.caPath),
  ]);
  if ('data' in cert && 'data' in key && (ca === undefined || 'data' in ca)) {
    return ca === undefined ? { cert: cert.data, key: key.data } : { cert: cert.data, key: key.data, ca: ca.data };
  }
  const failed = [cert, key, ca].flatMap((r) => (r !== undefined && 'failure' in r ? [r] : []));
  throw new TlsFilesError(failed.map((f) => f.role), failed.map((f) => f.failure).join('; '), { cause: failed[0]?.cause });
}

export function sameTlsFiles(a: TlsFiles, b: TlsFiles): boolean {
  const same = (x?: Buffer, y?: Buffer) => (x === undefined ? y === undefined : y !== undefined && x.equals(y));
  return same(a.cert, b.cert) && same(a.key, b.key) && same(a.ca, b.ca);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Throws a TlsFilesError naming the file at fault unless the certificate, its key and every CA
 * certificate parse and fit together.
 */
export function checkTlsFiles(files: TlsFiles, paths: TlsPaths): void {
  const certs = pemCertificates(files.cert, 'certificate', paths.certPath);
  let key;
  try {
    key = createPrivateKey(files.key);
  } catch (cause) {
    throw new TlsFilesError(['private key'], `private key ${paths.keyPath} holds no usable private key`, { cause });
  }
  if (!(certs[0] as X509Certificate).checkPrivateKey(key)) {
    throw new TlsFilesError(['private key'], `private key ${paths.keyPath} does not match certificate ${paths.certPath}`, { cause: undefined });
  }
  if (files.ca !== undefined) pemCertificates(files.ca, 'CA certificate', paths.caPath ?? '');
  // Whatever else OpenSSL objects to (an unsupported key type, say) fails here rather than in the swap.
  createSecureContext({ cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}) });
}

function pemCertificates(pem: Buffer, role: 'certificate' | 'CA certificate', path: string): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsFilesError([role], `${role} ${path} holds no PEM certificate`, { cause: undefined });
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new TlsFilesError([role], `${role} ${path}: certificate ${i + 1} does not parse`, { cause });
    }
  });
}

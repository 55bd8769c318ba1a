// The serving certificate, its key and the client CA, read from disk. Kubernetes mounts Secrets and
// ConfigMaps as symlinks (`cert.pem -> ..data/cert.pem`, `..data -> ..2026_01_01...`) and rotates them by
// swapping `..data`, so the paths never change while their content does: we compare content, not names.
import { readFile } from 'node:fs/promises';

export type TlsPaths = { readonly certPath: string; readonly keyPath: string; readonly caPath?: string };
export type TlsFiles = { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };

type FileRole = 'certificate' | 'private key' | 'CA certificate';
type Read = { readonly data: Buffer } | { readonly role: FileRole; readonly failure: string; readonly cause: unknown };

/** Which files could not be read (in the order certificate, private key, CA certificate). */
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
    readFile(path).then(
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

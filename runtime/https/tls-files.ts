// The serving certificate, its key and the client CA, read from disk. Kubernetes mounts Secrets and
// ConfigMaps as symlinks (`cert.pem -> ..data/cert.pem`, `..data -> ..2026_01_01...`) and rotates them by
// swapping `..data`, so the paths never change while their content does: we compare content, not names.
import { readFile } from 'node:fs/promises';

export type TlsPaths = { readonly certPath: string; readonly keyPath: string; readonly caPath?: string };
export type TlsFiles = { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };

export async function readTlsFiles(paths: TlsPaths): Promise<TlsFiles> {
  const read = async (what: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`read ${what} ${path}`, { cause: err });
    }
  };
  const [cert, key, ca] = await Promise.all([
    read('certificate', paths.certPath),
    read('private key', paths.keyPath),
    paths.caPath === undefined ? undefined : read('CA certificate', paths.caPath),
  ]);
  return ca === undefined ? { cert, key } : { cert, key, ca };
}

export function sameTlsFiles(a: TlsFiles, b: TlsFiles): boolean {
  const same = (x?: Buffer, y?: Buffer) => (x === undefined ? y === undefined : y !== undefined && x.equals(y));
  return same(a.cert, b.cert) && same(a.key, b.key) && same(a.ca, b.ca);
}

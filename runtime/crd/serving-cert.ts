// The SpiffeID webhook's serving certificate. Unless webhook_cert_dir is a read-only mounted directory
// (then its tls.crt/tls.key are used as they are, with a warning), a P-256 key and a CSR are generated
// (URI SAN spiffe://<td>/k8s-workload-registrar/<cluster>/webhook, DNS SAN <service>.<namespace>.svc)
// and SPIRE mints the certificate (MintX509SVID), so SPIRE's trust bundle, which the k8sbundle notifier
// puts in the webhook configuration's caBundle, verifies it. Files are written 0600, replaced atomically,
// and renewed at half of the certificate's lifetime. A directory the registrar creates is 0700; one that
// already exists is never changed (it belongs to whoever made it): when group or others can reach it
// (Kubernetes makes emptyDir volumes 0777) that is logged as a warning, and the files are written through
// fresh exclusive temp files, so that nothing planted in the directory (a symlink) is followed.
// Ref: spiffe/spire history, mode-crd/webhook/webhook_svid.go (same SANs, same file names).
import { constants } from 'node:fs';
import { access, chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SvidMinter } from '../../adapters/svid-minter.js';
import { createCsr, derToPem, dersToPem, exportPkcs8, generateKeyPair } from '../../adapters/x509/index.js';
import { createBackoff } from '../backoff.js';
import type { Clock, TimerHandle } from '../clock.js';

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export type ServingCertOptions = {
  readonly dir: string;
  readonly minter: SvidMinter;
  readonly trustDomain: string;
  readonly cluster: string;
  readonly serviceName: string;
  readonly namespace: string;
  readonly log: Logger;
  readonly clock: Clock;
  /** Requested lifetime; 0 = the server's default_x509_svid_ttl. */
  readonly ttlSeconds?: number;
  /** Whether the directory is read-only; default: exists and access(W_OK) fails (tests running as root replace it). */
  readonly isReadOnlyDir?: (dir: string) => Promise<boolean>;
};

export type ServingCert = {
  readonly certPath: string;
  readonly keyPath: string;
  /** 'mounted': files provided by the deployment; 'minted': ours, renewed at half-life. */
  readonly source: 'mounted' | 'minted';
  /** Unix seconds; 0 for mounted files. */
  readonly expiresAt: number;
  /** Starts renewing (minted only); `onRenewed` is called after new files are in place. */
  startRotation(onRenewed: () => Promise<unknown>): void;
  stop(): void;
};

export function webhookSpiffeId(trustDomain: string, cluster: string): string {
  return `spiffe://${trustDomain}/k8s-workload-registrar/${cluster}/webhook`;
}

export async function prepareServingCert(opts: ServingCertOptions): Promise<ServingCert> {
  const certPath = join(opts.dir, CERT_FILE);
  const keyPath = join(opts.dir, KEY_FILE);
  if (await (opts.isReadOnlyDir ?? isReadOnlyDir)(opts.dir)) {
    if (!(await exists(certPath)) || !(await exists(keyPath))) {
      throw new Error(`webhook_cert_dir ${opts.dir} is read-only but holds no ${CERT_FILE} and ${KEY_FILE}`);
    }
    opts.log.warn({ dir: opts.dir }, 'webhook_cert_dir is a read-only directory; serving its certificate as is, without rotation');
    return { certPath, keyPath, source: 'mounted', expiresAt: 0, startRotation: () => {}, stop: () => {} };
  }

  // mkdir returns the first directory it created, or undefined when the directory was already there.
  // (EEXIST: a file of that name is there; checkExistingDir says so.)
  const created = await mkdir(opts.dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') return undefined;
    throw err;
  });
  if (created === undefined) await checkExistingDir(opts.dir, opts.log);
  let expiresAt = await mint(opts, certPath, keyPath);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const backoff = createBackoff({ minMs: 1_000, maxMs: 60_000 });

  const schedule = (ms: number, onRenewed: () => Promise<unknown>) => {
    if (stopped) return;
    timer = opts.clock.setTimer(ms, () => {
      void (async () => {
        try {
          expiresAt = await mint(opts, certPath, keyPath);
          backoff.reset();
          await onRenewed();
          schedule(halfLife(expiresAt, opts.clock), onRenewed);
        } catch (err) {
          const retryInMs = backoff.next();
          opts.log.error({ err, retryInMs }, 'Failed to renew the webhook serving certificate');
          schedule(retryInMs, onRenewed);
        }
      })();
    });
  };

  return {
    certPath,
    keyPath,
    source: 'minted',
    get expiresAt() {
      return expiresAt;
    },
    startRotation: (onRenewed) => schedule(halfLife(expiresAt, opts.clock), onRenewed),
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** Half of the remaining lifetime: the renewal point of a certificate minted just now. */
function halfLife(expiresAt: number, clock: Clock): number {
  return Math.max(1_000, Math.floor((expiresAt * 1000 - clock.now()) / 2));
}

async function mint(opts: ServingCertOptions, certPath: string, keyPath: string): Promise<number> {
  const uri = webhookSpiffeId(opts.trustDomain, opts.cluster);
  const dnsName = `${opts.serviceName}.${opts.namespace}.svc`;
  const keys = await generateKeyPair();
  const csr = await createCsr({ keys, uri, dnsNames: [dnsName] });
  let minted;
  try {
    minted = await opts.minter.mintX509Svid(csr, opts.ttlSeconds ?? 0);
  } catch (err) {
    // The original's words (webhook_svid.go MintSVID); the adapter has already retried what is transient.
    throw new Error(`unable to make Mint SVID Request: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // An empty chain would leave a certificate file the HTTPS server cannot load.
  if (minted.certChain.length === 0) throw new Error('no certificates in Mint SVID Response');
  const keyPem = derToPem(await exportPkcs8(keys.privateKey), 'PRIVATE KEY');
  // Key first: the HTTPS server only switches once cert and key match, so a reload between the two
  // renames keeps the old pair.
  await writeAtomically(keyPath, keyPem);
  await writeAtomically(certPath, dersToPem(minted.certChain, 'CERTIFICATE'));
  opts.log.info({ spiffe_id: minted.spiffeId, dns_name: dnsName, expires_at: new Date(minted.expiresAt * 1000).toISOString() }, 'Minted webhook serving certificate');
  return minted.expiresAt;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  // 'wx' (O_CREAT|O_EXCL) never follows a symlink: remove whatever sits at the temp name, then create it.
  await rm(tmp, { force: true });
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** An existing webhook_cert_dir is used as it is: refused when not a directory, a warning when others can reach it. */
async function checkExistingDir(dir: string, log: Logger): Promise<void> {
  const info = await stat(dir);
  if (!info.isDirectory()) throw new Error(`webhook_cert_dir ${dir} is not a directory`);
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log.warn(
      { dir, mode: `0${mode.toString(8)}` },
      'webhook_cert_dir is accessible by group or others; it is left unchanged (the key file is written 0600)',
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** An existing directory this process cannot write to (a read-only Secret or ConfigMap mount). */
async function isReadOnlyDir(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
  } catch {
    return false;
  }
  try {
    await access(dir, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

// Parity with mode-crd/webhook/webhook_svid_test.go (both upstream trees): the SpiffeID webhook's
// serving certificate is minted by SPIRE and written with its key; transient failures are retried; too
// many failures, or a response without certificates, fail. Here: runtime/crd/serving-cert.ts through the
// real gRPC client against the in-memory SPIRE server on a Unix socket (one for the file), failures
// injected on the server. The retries live in the gRPC adapter (5 attempts for UNAVAILABLE and the like),
// where the original retried inside MintSVID (8 steps).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connectSpire, type SpireClient } from '../../adapters/spire/connect.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import type { SvidMinter } from '../../adapters/svid-minter.js';
import { createCa, dersToPem, pemToDers } from '../../adapters/x509/index.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { prepareServingCert } from '../../runtime/crd/serving-cert.js';
import { createLogger } from '../../runtime/logger.js';
import { manualClock } from '../fixtures/manual-clock.js';

let dir = '';
let spire: MemorySpireServer;
let client: SpireClient;
/** An intermediate CA's certificate: what SPIRE appends to the leaf when it signs with an upstream-chained CA. */
let intermediate: Uint8Array;
const log = createLogger({ logLevel: 'error', logFormat: 'json' }, { write: () => {} });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parity-svid-'));
  spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), trustDomain: 'example.org' });
  client = await connectSpire({ serverAddress: spire.address, trustDomain: 'example.org', retry: { initialDelayMs: 1, maxDelayMs: 5 } });
  intermediate = pemToDers((await createCa({ commonName: 'intermediate' })).certPem, 'CERTIFICATE')[0] as Uint8Array;
});
after(async () => {
  await client.close();
  await spire.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Mints into a fresh directory and returns the chain and key written there. */
async function mint(minter: SvidMinter) {
  const certDir = join(dir, `certs-${++n}`);
  const minted: { chain: Uint8Array[] } = { chain: [] };
  const recording: SvidMinter = {
    mintX509Svid: async (csr, ttl, o) => {
      const m = await minter.mintX509Svid(csr, ttl, o);
      minted.chain = [...m.certChain];
      return m;
    },
    x509Authorities: (o) => minter.x509Authorities(o),
  };
  const cert = await prepareServingCert({
    dir: certDir, minter: recording, trustDomain: 'example.org', cluster: 'CLUSTER', serviceName: 'k8s-workload-registrar',
    namespace: 'spire', log, clock: manualClock(), isReadOnlyDir: async () => false,
  });
  cert.stop();
  return { minted: minted.chain, written: await readFile(cert.certPath, 'utf8'), key: await readFile(cert.keyPath, 'utf8') };
}

/** The server's answer with the intermediate appended (leaf first), as from a server under an upstream CA. */
const withIntermediate: () => SvidMinter = () => ({
  mintX509Svid: async (csr, ttl, o) => {
    const m = await client.svid.mintX509Svid(csr, ttl, o);
    return { ...m, certChain: [...m.certChain, intermediate] };
  },
  x509Authorities: (o) => client.svid.x509Authorities(o),
});

const rows: [string, () => SvidMinter, number, number][] = [
  ['Single certificate and key', () => client.svid, 0, 1],
  ['Single certificate and key with error retry', () => client.svid, 2, 1],
  ['Multiple certificates and key', withIntermediate, 0, 2],
  ['Multiple certificates and key with error retry', withIntermediate, 3, 2],
];
for (const [row, minter, errors, chainLength] of rows) {
  test(`webhook_svid_test.go TestMintSVID/${row}`, async () => {
    if (errors > 0) spire.core.faults.failNext('MintX509SVID', errors, StatusCode.UNAVAILABLE);
    const before = spire.core.calls().MintX509SVID;
    const got = await mint(minter());
    assert.equal(spire.core.calls().MintX509SVID - before, errors + 1);
    assert.equal(got.minted.length, chainLength);
    // The whole chain is written, leaf first, as SPIRE returned it, with the key of the CSR.
    assert.equal(got.written, dersToPem(got.minted, 'CERTIFICATE'));
    assert.match(got.key, /^-----BEGIN PRIVATE KEY-----\n/);
  });
}

test('webhook_svid_test.go TestMintSVIDRetryLimit', async () => {
  spire.core.faults.failNext('MintX509SVID', 11, StatusCode.UNAVAILABLE);
  await assert.rejects(mint(client.svid), (err: Error) => {
    assert.match(err.message, /^unable to make Mint SVID Request: /);
    return true;
  });
  spire.core.faults.reset();
});

test('webhook_svid_test.go TestMintSVIDEmptyCertChain', async () => {
  const empty: SvidMinter = {
    mintX509Svid: async (csr, ttl, o) => ({ ...(await client.svid.mintX509Svid(csr, ttl, o)), certChain: [] }),
    x509Authorities: (o) => client.svid.x509Authorities(o),
  };
  await assert.rejects(mint(empty), (err: Error) => {
    assert.equal(err.message, 'no certificates in Mint SVID Response');
    return true;
  });
});

// MintX509SVID and GetBundle (docs/spire-entry-api.md 2.8, 1.5).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { serviceNames } from '../../adapters/spire/protos.js';
import type * as W from '../../adapters/spire/wire-types.js';
import { createCa, createCsr, generateKeyPair, signCsr, x509 } from '../../adapters/x509/index.js';
import { forEachTarget, rejectsWith, type Target } from './harness.js';

const mint = (t: Target, csr: Uint8Array, ttl = 0) => t.call<W.MintX509SvidResponse>(serviceNames.svid, 'MintX509SVID', { csr, ttl });

async function csrWith(names: x509.JsonGeneralName[]): Promise<Uint8Array> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: '', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  return new Uint8Array(csr.rawData);
}

forEachTarget('MintX509SVID / GetBundle', (target) => {
  test('mints a leaf for the CSR: URI and DNS SANs, expires_at = NotAfter, chained to the bundle, root not included', async () => {
    const t = target();
    const uri = `spiffe://${t.trustDomain}${t.prefix}/webhook`;
    const csr = await createCsr({ keys: await generateKeyPair(), uri, dnsNames: ['webhook.spire.svc', 'webhook'] });
    const res = await mint(t, csr, 600);
    const leaf = new X509Certificate(res.svid?.cert_chain[0] as Uint8Array);
    assert.equal(leaf.subjectAltName, `URI:${uri}, DNS:webhook.spire.svc, DNS:webhook`);
    assert.match(leaf.subject, /CN=webhook\.spire\.svc/);
    assert.deepEqual(res.svid?.id, t.id(`${t.prefix}/webhook`));
    assert.equal(res.svid?.expires_at, Math.floor(new Date(leaf.validTo).getTime() / 1000));
    const lifetime = (res.svid?.expires_at ?? 0) - Math.floor(Date.now() / 1000);
    assert.ok(lifetime > 500 && lifetime <= 610, `lifetime ${lifetime}`);
    const bundle = await t.call<W.WireBundle>(serviceNames.bundle, 'GetBundle', {});
    assert.equal(bundle.trust_domain, t.trustDomain);
    const roots = bundle.x509_authorities.map((a) => new X509Certificate(a.asn1));
    assert.ok(roots.length > 0);
    const chain = (res.svid?.cert_chain ?? []).map((c) => new X509Certificate(c));
    const top = chain[chain.length - 1] as X509Certificate;
    assert.ok(roots.some((r) => top.checkIssued(r) && top.verify(r.publicKey)), 'chain ends at a bundle authority');
    assert.ok(!chain.some((c) => roots.some((r) => r.fingerprint256 === c.fingerprint256)), 'root not in the chain');
  });

  test('rejects a missing CSR, a CSR without or with two URI SANs, and a /spire URI', async () => {
    const t = target();
    await rejectsWith(mint(t, new Uint8Array()), 3, 'missing CSR');
    await rejectsWith(mint(t, await csrWith([{ type: 'dns', value: 'only.dns' }])), 3, 'CSR URI SAN is required');
    await rejectsWith(mint(t, await csrWith([{ type: 'url', value: `spiffe://${t.trustDomain}/a` }, { type: 'url', value: `spiffe://${t.trustDomain}/b` }])), 3, 'only one URI SAN is expected');
    await rejectsWith(mint(t, await csrWith([{ type: 'url', value: `spiffe://${t.trustDomain}/spire/agent/x` }])), 3, /.+/);
    await rejectsWith(mint(t, await csrWith([{ type: 'url', value: 'spiffe://other.test/w' }])), 3, /.+/);
  });

  test('rejects a CSR whose signature does not verify', async () => {
    const t = target();
    const good = await createCsr({ keys: await generateKeyPair(), uri: `spiffe://${t.trustDomain}/w` });
    const bad = Uint8Array.from(good);
    bad[bad.length - 3] = (bad[bad.length - 3] as number) ^ 0x55;
    await rejectsWith(mint(t, bad), 3, /.+/);
  });

  test('a leaf signed by a foreign CA does not chain to the bundle (sanity check of the check above)', async () => {
    const t = target();
    const foreign = await createCa({ commonName: 'foreign' });
    const signed = await signCsr(foreign, await createCsr({ keys: await generateKeyPair(), uri: `spiffe://${t.trustDomain}/w` }), { ttlSeconds: 60 });
    const bundle = await t.call<W.WireBundle>(serviceNames.bundle, 'GetBundle', {});
    const leaf = new X509Certificate(signed.der);
    assert.ok(!bundle.x509_authorities.some((a) => leaf.verify(new X509Certificate(a.asn1).publicKey)));
  });
});

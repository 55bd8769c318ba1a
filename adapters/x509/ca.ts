// A self-signed CA and leaf certificates (P-256 ECDSA), for the in-memory SPIRE server's trust bundle,
// the Workload API's SVIDs, and serving/client certificates in tests and the sandbox.
import { derToPem } from './pem.js';
import { randomSerial, validity } from './serial.js';
import { type CryptoKeyPair, exportPkcs8, generateKeyPair, signingAlgorithm, x509 } from './webcrypto.js';

export type Ca = {
  readonly keys: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
  /** DER of the CA certificate. */
  readonly der: Uint8Array;
  readonly certPem: string;
  /** PKCS#8 PEM of the CA private key. */
  readonly keyPem: string;
};

export type CaOptions = {
  readonly commonName: string;
  /** e.g. `spiffe://example.org`, the trust domain ID SPIRE puts in its CA certificates. */
  readonly uriSan?: string;
  /** Default one year. */
  readonly ttlSeconds?: number;
  readonly now?: Date;
};

export async function createCa(options: CaOptions): Promise<Ca> {
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (options.uriSan) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: options.uriSan }]));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${options.commonName}`,
    ...validity(options.now, options.ttlSeconds ?? 365 * 24 * 3600),
    signingAlgorithm,
    keys,
    extensions,
  });
  const der = new Uint8Array(cert.rawData);
  return { keys, cert, der, certPem: derToPem(der, 'CERTIFICATE'), keyPem: derToPem(await exportPkcs8(keys.privateKey), 'PRIVATE KEY') };
}

export type KeyUsage = 'server' | 'client' | 'both';

export type LeafOptions = {
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  /** URI SANs, e.g. a SPIFFE ID. */
  readonly uris?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usage: KeyUsage;
  /** Default one hour. */
  readonly ttlSeconds?: number;
  readonly now?: Date;
};

export type IssuedLeaf = {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** DER of the certificate. */
  readonly der: Uint8Array;
  /** PKCS#8 DER of the private key (the Workload API's `x509_svid_key`). */
  readonly keyDer: Uint8Array;
  readonly notAfter: Date;
};

/** Extensions every leaf gets: not a CA, signature key usage, the requested EKUs and SANs. */
export async function leafExtensions(
  ca: Ca,
  publicKey: x509.PublicKeyType,
  sans: { dnsNames?: readonly string[]; uris?: readonly string[]; ipAddresses?: readonly string[] },
  usage: KeyUsage,
): Promise<x509.Extension[]> {
  const ekus = usage === 'server' ? [x509.ExtendedKeyUsage.serverAuth] : usage === 'client' ? [x509.ExtendedKeyUsage.clientAuth]
    : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const names: x509.JsonGeneralName[] = [
    ...(sans.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(sans.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(sans.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension(ekus),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  return extensions;
}

export async function issueKeyAndCert(ca: Ca, options: LeafOptions): Promise<IssuedLeaf> {
  const keys = await generateKeyPair();
  const span = validity(options.now, options.ttlSeconds ?? 3600);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: options.commonName ? `CN=${options.commonName}` : '',
    issuer: ca.cert.subjectName,
    ...span,
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: await leafExtensions(ca, keys.publicKey, options, options.usage),
  });
  const der = new Uint8Array(cert.rawData);
  const keyDer = await exportPkcs8(keys.privateKey);
  return { certPem: derToPem(der, 'CERTIFICATE'), keyPem: derToPem(keyDer, 'PRIVATE KEY'), der, keyDer, notAfter: span.notAfter };
}

// PKCS#10 requests for MintX509SVID: the registrar's crd mode asks SPIRE for its webhook serving
// certificate with a CSR carrying one SPIFFE URI SAN and the service DNS names.
import { type Ca, leafExtensions } from './ca.js';
import { derToPem } from './pem.js';
import { randomSerial, validity } from './serial.js';
import { type CryptoKeyPair, signingAlgorithm, x509 } from './webcrypto.js';

export type CsrOptions = {
  readonly keys: CryptoKeyPair;
  readonly uri: string;
  readonly dnsNames?: readonly string[];
  /** Empty subject by default: SPIRE then uses its own default subject. */
  readonly commonName?: string;
};

export async function createCsr(options: CsrOptions): Promise<Uint8Array> {
  const names: x509.JsonGeneralName[] = [
    { type: 'url', value: options.uri },
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: options.commonName ? `CN=${options.commonName}` : '',
    keys: options.keys,
    signingAlgorithm,
    extensions: [new x509.SubjectAlternativeNameExtension(names)],
  });
  return new Uint8Array(csr.rawData);
}

export type ParsedCsr = {
  readonly csr: x509.Pkcs10CertificateRequest;
  /** Whether the CSR's self-signature verifies with its own public key. */
  readonly signatureValid: boolean;
  readonly subject: string;
  readonly uris: string[];
  readonly dnsNames: string[];
};

/** Throws when the DER is not a PKCS#10 request. */
export async function parseCsr(der: Uint8Array): Promise<ParsedCsr> {
  const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der).buffer);
  const ext = csr.getExtension('2.5.29.17'); // id-ce-subjectAltName
  const items = ext ? [...new x509.SubjectAlternativeNameExtension(ext.rawData).names.items] : [];
  let signatureValid = false;
  try {
    signatureValid = await csr.verify();
  } catch {
    signatureValid = false;
  }
  return {
    csr,
    signatureValid,
    subject: csr.subject,
    uris: items.filter((n) => n.type === 'url').map((n) => n.value),
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
  };
}

export type SignCsrOptions = {
  readonly ttlSeconds: number;
  readonly now?: Date;
  /** Subject of the issued certificate (RFC 4514 string); default: the CSR's subject. */
  readonly subject?: string;
};

export type SignedCsr = { readonly der: Uint8Array; readonly certPem: string; readonly notAfter: Date };

/** Issues a client+server leaf for the CSR's public key, copying its URI and DNS SANs. */
export async function signCsr(ca: Ca, csrDer: Uint8Array, options: SignCsrOptions): Promise<SignedCsr> {
  const parsed = await parseCsr(csrDer);
  const publicKey = await parsed.csr.publicKey.export();
  const span = validity(options.now, options.ttlSeconds);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: options.subject ?? parsed.subject,
    issuer: ca.cert.subjectName,
    ...span,
    signingAlgorithm,
    publicKey,
    signingKey: ca.keys.privateKey,
    extensions: await leafExtensions(ca, publicKey, { uris: parsed.uris, dnsNames: parsed.dnsNames }, 'both'),
  });
  const der = new Uint8Array(cert.rawData);
  return { der, certPem: derToPem(der, 'CERTIFICATE'), notAfter: span.notAfter };
}

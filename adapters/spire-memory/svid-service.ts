// MintX509SVID and GetBundle over the in-memory CA (docs/spire-entry-api.md 2.8, 1.5).
import { parseSpiffeId } from '../../handlers/entries/spiffe-id.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import type * as W from '../spire/wire-types.js';
import { type Ca, type ParsedCsr, parseCsr, signCsr } from '../x509/index.js';
import { dnsNameError, wildcardCovers } from '../../handlers/entries/dns-name.js';
import { RpcError } from './rpc-error.js';

/** SPIRE's `default_x509_svid_ttl`. */
const DEFAULT_X509_SVID_TTL = 3600;
/** The subject SPIRE uses when a CSR has none (credtemplate's default). */
const DEFAULT_SUBJECT = 'C=US, O=SPIRE';

const invalid = (message: string) => new RpcError(StatusCode.INVALID_ARGUMENT, message);

async function checkedCsr(csr: Uint8Array, trustDomain: string): Promise<{ parsed: ParsedCsr; path: string }> {
  if (csr.length === 0) throw invalid('missing CSR');
  let parsed: ParsedCsr;
  try {
    parsed = await parseCsr(csr);
  } catch (err) {
    throw invalid(`malformed CSR: ${(err as Error).message}`);
  }
  if (!parsed.signatureValid) throw invalid('failed to verify CSR signature');
  if (parsed.uris.length === 0) throw invalid('CSR URI SAN is required');
  if (parsed.uris.length > 1) throw invalid('only one URI SAN is expected');
  const uri = parsed.uris[0] as string;
  const id = parseSpiffeId(uri);
  if (!id.ok) throw invalid(`CSR URI SAN is invalid: ${id.error}`);
  const { trustDomain: td, path } = id.value;
  if (td !== trustDomain || path === '' || path === '/spire' || path.startsWith('/spire/')) {
    throw invalid(`CSR URI SAN is invalid: "${uri}" is not a workload in trust domain "${trustDomain}"`);
  }
  for (const name of parsed.dnsNames) {
    const err = dnsNameError(name);
    if (err) throw invalid(`CSR DNS name is invalid: ${err}`);
    const covered = parsed.dnsNames.find((other) => wildcardCovers(name, other));
    if (covered) throw invalid(`CSR DNS name is invalid: wildcard "${name}" covers "${covered}"`);
  }
  return { parsed, path };
}

export async function mintX509Svid(req: W.MintX509SvidRequest, ca: Ca, trustDomain: string, now: Date): Promise<W.MintX509SvidResponse> {
  const { parsed, path } = await checkedCsr(req.csr, trustDomain);
  const caLeft = Math.floor((ca.cert.notAfter.getTime() - now.getTime()) / 1000);
  const ttl = Math.max(1, Math.min(req.ttl > 0 ? req.ttl : DEFAULT_X509_SVID_TTL, caLeft));
  const base = parsed.subject !== '' ? parsed.subject : DEFAULT_SUBJECT;
  const first = parsed.dnsNames[0];
  const subject = first ? `${base.split(/,\s*/).filter((rdn) => !rdn.startsWith('CN=')).join(', ')}, CN=${first}` : base;
  const signed = await signCsr(ca, req.csr, { ttlSeconds: ttl, now, subject });
  return {
    svid: { cert_chain: [signed.der], id: { trust_domain: trustDomain, path }, expires_at: Math.floor(signed.notAfter.getTime() / 1000), hint: '' },
  };
}

export function getBundle(req: W.GetBundleRequest, ca: Ca, trustDomain: string): W.WireBundle {
  const full: W.WireBundle = { trust_domain: trustDomain, x509_authorities: [{ asn1: ca.der, tainted: false }], refresh_hint: 0, sequence_number: 1 };
  const mask = req.output_mask;
  if (!mask) return full;
  return {
    trust_domain: trustDomain,
    x509_authorities: mask.x509_authorities ? full.x509_authorities : [],
    refresh_hint: mask.refresh_hint ? full.refresh_hint : 0,
    sequence_number: mask.sequence_number ? full.sequence_number : 0,
  };
}

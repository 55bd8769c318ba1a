// The text layout of `spire-server entry show` (SPIRE >= 1.15: 24-wide labels), so tutorial output reads
// the same whichever tool printed it. Ref: docs/spire-entry-api.md section 3; SPIRE
// cmd/spire-server/cli/entry/{show,util}.go. Pure: the caller passes the entries and writes the text.
import type { Entry, Selector } from './entry.js';
import { compareSelectors, formatSelector } from './selectors.js';
import { parseSpiffeId } from './spiffe-id.js';

const LABEL_WIDTH = 24;

export function line(label: string, value: string | number): string {
  return `${label.padEnd(LABEL_WIDTH)}: ${value}`;
}

/** Go's `time.Time.String()` for a UTC instant with whole seconds: `2019-03-12 17:04:26 +0000 UTC`. */
export function goUtcTime(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

function idParts(id: string): [string, string] {
  const parsed = parseSpiffeId(id);
  return parsed.ok ? [parsed.value.trustDomain, parsed.value.path] : [id, ''];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSelectorLists(a: readonly Selector[], b: readonly Selector[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compareSelectors(a[i] as Selector, b[i] as Selector);
    if (c !== 0) return c;
  }
  return 0;
}

const sortedSelectors = (e: Entry) => [...e.selectors].sort(compareSelectors);

/** SPIRE's client-side order: SPIFFE ID (trust domain, path), parent ID, X509 TTL, JWT TTL, selectors. */
export function compareEntriesForShow(a: Entry, b: Entry): number {
  const [aTd, aPath] = idParts(a.spiffeId);
  const [bTd, bPath] = idParts(b.spiffeId);
  const [apTd, apPath] = idParts(a.parentId);
  const [bpTd, bpPath] = idParts(b.parentId);
  return compareStrings(aTd, bTd) || compareStrings(aPath, bPath) || compareStrings(apTd, bpTd) || compareStrings(apPath, bpPath)
    || a.x509SvidTtl - b.x509SvidTtl || a.jwtSvidTtl - b.jwtSvidTtl || compareSelectorLists(sortedSelectors(a), sortedSelectors(b));
}

const ttl = (n: number) => (n === 0 ? 'default' : n);

export function formatEntryBlock(e: Entry): string[] {
  const out = [
    line('Entry ID', e.id === '' ? '(none)' : e.id),
    line('SPIFFE ID', e.spiffeId),
    line('Parent ID', e.parentId),
    line('Revision', e.revisionNumber),
  ];
  if (e.downstream) out.push(line('Downstream', 'true'));
  out.push(line('X509-SVID TTL', ttl(e.x509SvidTtl)), line('JWT-SVID TTL', ttl(e.jwtSvidTtl)));
  if (e.expiresAt !== 0) out.push(line('Expiration time', goUtcTime(e.expiresAt)));
  for (const s of sortedSelectors(e)) out.push(line('Selector', formatSelector(s)));
  for (const td of e.federatesWith) out.push(line('FederatesWith', td));
  for (const name of e.dnsNames) out.push(line('DNS name', name));
  if (e.admin) out.push(line('Admin', 'true'));
  if (e.storeSvid) out.push(line('StoreSvid', 'true'));
  if (e.hint !== '') out.push(line('Hint', e.hint));
  if (e.additionalAttributes?.disableX509SvidPrefetch) out.push(line('DisableX509SvidPrefetch', 'true'));
  if (e.additionalAttributes?.jwtSvidIncludeJti) out.push(line('JwtSvidIncludeJti', 'true'));
  out.push('');
  return out;
}

/** The whole output, ending in a newline: header, then one block per entry, each closed by an empty line. */
export function formatEntryShow(entries: readonly Entry[]): string {
  const header = `Found ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`;
  const blocks = [...entries].sort(compareEntriesForShow).flatMap(formatEntryBlock);
  return `${[header, ...blocks].join('\n')}\n`;
}

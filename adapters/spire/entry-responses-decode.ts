// Decodes ListEntries, BatchCreateEntry and BatchUpdateEntry responses straight from their bytes into
// the registrar's `Entry` objects (the batch results are what the owned index holds after a cold start).
// A full resync at 100,000 pods lists 100,000 entries: through @grpc/proto-loader each became a
// protobufjs message, then a plain object with defaults (toObject), then an `Entry` (entry-convert.ts),
// three generations of objects and strings per entry. This reader builds the `Entry` alone and shares
// the strings that repeat across entries (parent IDs, selector types and common values), which the
// owned index then holds for the life of the process.
//
// It reads the fields of spire.api.types.Entry by number and wire type (proto/types.proto, docs/
// spire-entry-api.md 1.3) with proto3 rules: absent scalars are zero, unknown fields are skipped, a
// repeated singular field's last value wins. The result equals what entryFromWire makes of
// proto-loader's object for the same bytes (entry-responses-decode.test.ts checks this byte for byte).
import type { AdditionalAttributes, Entry, Selector } from '../../handlers/entries/entry.js';
import { type Status, StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryResult } from '../entry-store.js';
import type { BatchEntryResults, ListEntriesPage } from './entry-rpc.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

const emptyBuffer = Buffer.alloc(0) as Utf8Buffer;

/** Strings seen in recent listings, so that equal ones share one copy; cleared when full (bounded). */
const INTERN_LIMIT = 1 << 16;
const interned = new Map<string, string>();

function intern(s: string): string {
  const seen = interned.get(s);
  if (seen !== undefined) return seen;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(s, s);
  return s;
}

/** Node's Buffer has utf8Slice (what toString('utf8', …) ends in) without the argument checks; not in its types. */
type Utf8Buffer = Buffer & { utf8Slice(start: number, end: number): string };

// The decoder's cursor: one response is decoded synchronously, start to end, so module state is safe
// and spares an object per nested message. Reads past `end` are caught by `check` after each field
// (a read past the buffer yields undefined, which ends the varint loops).
let buf: Utf8Buffer;
let pos = 0;

function truncated(): never {
  throw new RangeError('SPIRE response: truncated message');
}

function check(end: number): void {
  if (pos > end) truncated();
}

/** The low 32 bits of a varint, unsigned; the rest of a 10-byte varint is skipped. */
function uint32(): number {
  let b = buf[pos++] as number;
  if (b < 0x80) return b;
  let value = b & 0x7f;
  b = buf[pos++] as number;
  value |= (b & 0x7f) << 7;
  if (b < 0x80) return value;
  b = buf[pos++] as number;
  value |= (b & 0x7f) << 14;
  if (b < 0x80) return value;
  b = buf[pos++] as number;
  value |= (b & 0x7f) << 21;
  if (b < 0x80) return value;
  b = buf[pos++] as number;
  value = (value | ((b & 0x0f) << 28)) >>> 0;
  if (b < 0x80) return value;
  for (let i = 5; i < 10; i++) if ((buf[pos++] as number) < 0x80) return value;
  throw new RangeError('SPIRE response: malformed varint');
}

/** int64 as a JS number, the way Long.toNumber makes it (high word signed, low word unsigned). */
function int64(): number {
  let lo = 0;
  let hi = 0;
  let b = 0;
  for (let i = 0; i < 4; i++) {
    b = buf[pos++] as number;
    lo |= (b & 0x7f) << (i * 7);
    if (b < 0x80) return lo >>> 0;
  }
  b = buf[pos++] as number;
  lo |= (b & 0x7f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b < 0x80) return hi * 4294967296 + (lo >>> 0);
  for (let i = 0; i < 5; i++) {
    b = buf[pos++] as number;
    hi |= (b & 0x7f) << (i * 7 + 3);
    if (b < 0x80) return (hi | 0) * 4294967296 + (lo >>> 0);
  }
  throw new RangeError('SPIRE response: malformed varint');
}

/** The end offset of a length-delimited field whose tag was just read. */
function lengthEnd(end: number): number {
  const len = uint32();
  const fieldEnd = pos + len;
  if (fieldEnd > end) truncated();
  return fieldEnd;
}

function string(end: number): string {
  const fieldEnd = lengthEnd(end);
  const s = fieldEnd === pos ? '' : buf.utf8Slice(pos, fieldEnd);
  pos = fieldEnd;
  return s;
}

function skip(wireType: number, end: number): void {
  switch (wireType) {
    case VARINT: uint32(); break;
    case FIXED64: pos += 8; break;
    case LEN: pos = lengthEnd(end); break;
    case FIXED32: pos += 4; break;
    default: throw new RangeError(`SPIRE response: unsupported wire type ${wireType}`);
  }
  check(end);
}

/** A SPIFFEID message as the canonical string `spiffe://` + trust domain + path; `share` for IDs many entries name. */
function spiffeId(outer: number, share: boolean): string {
  const end = lengthEnd(outer);
  let trustDomain = '';
  let path = '';
  while (pos < end) {
    const tag = uint32();
    if (tag === (1 << 3 | LEN)) trustDomain = string(end);
    else if (tag === (2 << 3 | LEN)) path = string(end);
    else skip(tag & 7, end);
    check(end);
  }
  const id = `spiffe://${trustDomain}${path}`;
  // The concatenation is a tree of three strings (~155 B held per ID); reading a character makes V8
  // flatten it into one (~87 B). The owned index holds every listed entry's ID for the process's life.
  id.charCodeAt(0);
  return share ? intern(id) : id;
}

function selector(outer: number): Selector {
  const end = lengthEnd(outer);
  let type = '';
  let value = '';
  while (pos < end) {
    const tag = uint32();
    if (tag === (1 << 3 | LEN)) type = intern(string(end));
    else if (tag === (2 << 3 | LEN)) value = intern(string(end));
    else skip(tag & 7, end);
    check(end);
  }
  return { type, value };
}

function additionalAttributes(outer: number): AdditionalAttributes {
  const end = lengthEnd(outer);
  let disableX509SvidPrefetch = false;
  let jwtSvidIncludeJti = false;
  while (pos < end) {
    const tag = uint32();
    if (tag === (1 << 3 | VARINT)) disableX509SvidPrefetch = uint32() !== 0;
    else if (tag === (2 << 3 | VARINT)) jwtSvidIncludeJti = uint32() !== 0;
    else skip(tag & 7, end);
    check(end);
  }
  return { disableX509SvidPrefetch, jwtSvidIncludeJti };
}

/**
 * Lists are collected in these and copied out at their exact length: an array grown by push keeps
 * room for 17 elements, and most entries have no federates_with or dns_names, which then share one
 * frozen empty array (the Entry type's lists are readonly).
 */
const selectorsScratch: Selector[] = [];
const federatesScratch: string[] = [];
const dnsScratch: string[] = [];
const none: readonly never[] = Object.freeze([]);

function take<T>(scratch: T[]): readonly T[] {
  if (scratch.length === 0) return none;
  const out = scratch.slice();
  scratch.length = 0;
  return out;
}

function entry(outer: number): Entry {
  const end = lengthEnd(outer);
  let id = '';
  let spiffe = '';
  let parent = '';
  const selectors = selectorsScratch;
  let x509SvidTtl = 0;
  const federatesWith = federatesScratch;
  let admin = false;
  let downstream = false;
  let expiresAt = 0;
  const dnsNames = dnsScratch;
  selectors.length = 0;
  federatesWith.length = 0;
  dnsNames.length = 0;
  let revisionNumber = 0;
  let storeSvid = false;
  let jwtSvidTtl = 0;
  let hint = '';
  let createdAt = 0;
  let attrs: AdditionalAttributes | undefined;
  while (pos < end) {
    const tag = uint32();
    switch (tag) {
      case 1 << 3 | LEN: id = string(end); break;
      case 2 << 3 | LEN: spiffe = spiffeId(end, false); break;
      case 3 << 3 | LEN: parent = spiffeId(end, true); break;
      case 4 << 3 | LEN: selectors.push(selector(end)); break;
      case 5 << 3 | VARINT: x509SvidTtl = uint32() | 0; break;
      case 6 << 3 | LEN: federatesWith.push(intern(string(end))); break;
      case 7 << 3 | VARINT: admin = uint32() !== 0; break;
      case 8 << 3 | VARINT: downstream = uint32() !== 0; break;
      case 9 << 3 | VARINT: expiresAt = int64(); break;
      case 10 << 3 | LEN: dnsNames.push(string(end)); break;
      case 11 << 3 | VARINT: revisionNumber = int64(); break;
      case 12 << 3 | VARINT: storeSvid = uint32() !== 0; break;
      case 13 << 3 | VARINT: jwtSvidTtl = uint32() | 0; break;
      case 14 << 3 | LEN: hint = intern(string(end)); break;
      case 15 << 3 | VARINT: createdAt = int64(); break;
      case 16 << 3 | LEN: attrs = additionalAttributes(end); break;
      default: skip(tag & 7, end);
    }
    check(end);
  }
  // Same fields, same order as entryFromWire, so both paths give objects of one shape.
  return attrs
    ? {
      id, spiffeId: spiffe, parentId: parent, selectors: take(selectors), x509SvidTtl, jwtSvidTtl, federatesWith: take(federatesWith),
      admin, downstream, expiresAt, dnsNames: take(dnsNames), revisionNumber, storeSvid, hint, createdAt, additionalAttributes: attrs,
    }
    : {
      id, spiffeId: spiffe, parentId: parent, selectors: take(selectors), x509SvidTtl, jwtSvidTtl, federatesWith: take(federatesWith),
      admin, downstream, expiresAt, dnsNames: take(dnsNames), revisionNumber, storeSvid, hint, createdAt,
    };
}

/** ListEntriesResponse: 1 repeated Entry entries, 2 string next_page_token. */
export function decodeListEntriesResponse(bytes: Buffer): ListEntriesPage {
  buf = bytes as Utf8Buffer;
  pos = 0;
  const end = bytes.length;
  const entries: Entry[] = [];
  let nextPageToken = '';
  try {
    while (pos < end) {
      const tag = uint32();
      if (tag === (1 << 3 | LEN)) entries.push(entry(end));
      else if (tag === (2 << 3 | LEN)) nextPageToken = string(end);
      else skip(tag & 7, end);
      check(end);
    }
  } finally {
    buf = emptyBuffer;
  }
  return { entries, nextPageToken };
}

function status(outer: number): Status {
  const end = lengthEnd(outer);
  let code = 0;
  let message = '';
  while (pos < end) {
    const tag = uint32();
    if (tag === (1 << 3 | VARINT)) code = uint32() | 0;
    else if (tag === (2 << 3 | LEN)) message = string(end);
    else skip(tag & 7, end);
    check(end);
  }
  return { code, message };
}

/** Result: 1 Status status, 2 Entry entry; a result without a status is UNKNOWN (as statusFromWire). */
function result(outer: number): EntryResult {
  const end = lengthEnd(outer);
  let st: Status | undefined;
  let e: Entry | undefined;
  while (pos < end) {
    const tag = uint32();
    if (tag === (1 << 3 | LEN)) st = status(end);
    else if (tag === (2 << 3 | LEN)) e = entry(end);
    else skip(tag & 7, end);
    check(end);
  }
  const s = st ?? { code: StatusCode.UNKNOWN, message: 'result without status' };
  return e ? { status: s, entry: e } : { status: s };
}

/** BatchCreateEntryResponse and BatchUpdateEntryResponse (the same wire shape): 1 repeated Result results. */
export function decodeBatchEntryResponse(bytes: Buffer): BatchEntryResults {
  buf = bytes as Utf8Buffer;
  pos = 0;
  const end = bytes.length;
  const results: EntryResult[] = [];
  try {
    while (pos < end) {
      const tag = uint32();
      if (tag === (1 << 3 | LEN)) results.push(result(end));
      else skip(tag & 7, end);
      check(end);
    }
  } finally {
    buf = emptyBuffer;
  }
  return { results };
}

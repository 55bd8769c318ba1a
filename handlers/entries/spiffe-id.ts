// SPIFFE ID and trust domain parsing with go-spiffe v2's strict rules (used by SPIRE >= 1.2), so
// that an ID we build is accepted by the server and an ID we refuse would have been refused there too.
// Ref: docs/spire-entry-api.md section 4.1; go-spiffe spiffeid/{id,path,trustdomain,errors}.go.

export type SpiffeId = { readonly trustDomain: string; readonly path: string };
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const SCHEME = 'spiffe://';
const TD_CHARS = /^[a-z0-9._-]+$/;
/** The characters of one path segment (also the names a segment is built from: handlers/identity/kubernetes-names.ts). */
export const SEGMENT_CHARS = /^[A-Za-z0-9._-]+$/;
/** A whole valid non-empty path in one test: segments of the allowed characters, none "." or "..". */
const VALID_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)+$/;

export const spiffeIdErrors = {
  scheme: 'scheme is missing or invalid',
  tdMissing: 'trust domain is missing',
  tdChars: 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
  leadingSlash: 'path must have a leading slash',
  emptySegment: 'path cannot contain empty segments',
  dotSegment: 'path cannot contain dot segments',
  segmentChars: 'path segment characters are limited to letters, numbers, dots, dashes, and underscores',
  trailingSlash: 'path cannot have a trailing slash',
} as const;

export function parseTrustDomain(name: string): Parsed<string> {
  if (name.startsWith(SCHEME)) {
    const id = parseSpiffeId(name);
    return id.ok ? { ok: true, value: id.value.trustDomain } : id;
  }
  if (name === '') return { ok: false, error: spiffeIdErrors.tdMissing };
  if (!TD_CHARS.test(name)) return { ok: false, error: spiffeIdErrors.tdChars };
  return { ok: true, value: name };
}

/** Checks a path ("" or "/a/b"); returns an error message or undefined. */
export function checkPath(path: string): string | undefined {
  // Fast path (every full resync checks each entry's IDs); the loop below names the first problem.
  if (path === '' || VALID_PATH.test(path)) return undefined;
  if (!path.startsWith('/')) return spiffeIdErrors.leadingSlash;
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (seg === '') return i === segments.length - 1 ? spiffeIdErrors.trailingSlash : spiffeIdErrors.emptySegment;
    if (seg === '.' || seg === '..') return spiffeIdErrors.dotSegment;
    if (!SEGMENT_CHARS.test(seg)) return spiffeIdErrors.segmentChars;
  }
  return undefined;
}

export function parseSpiffeId(id: string): Parsed<SpiffeId> {
  if (!id.startsWith(SCHEME)) return { ok: false, error: spiffeIdErrors.scheme };
  const rest = id.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  const td = parseTrustDomain(trustDomain);
  if (!td.ok) return td;
  const pathError = checkPath(path);
  if (pathError) return { ok: false, error: pathError };
  return { ok: true, value: { trustDomain, path } };
}

/** `spiffe://<td>/spire/server`: SPIRE's own ID, the parent of every node entry. */
export function spireServerId(trustDomain: string): string {
  return `${SCHEME}${trustDomain}/spire/server`;
}

export function formatSpiffeId(id: SpiffeId): string {
  return `${SCHEME}${id.trustDomain}${id.path}`;
}

/** Builds `spiffe://<td>/<segments joined by />` and checks it. Segments may themselves contain `/`. */
export function makeSpiffeId(trustDomain: string, ...segments: readonly string[]): Parsed<string> {
  const raw = `${SCHEME}${trustDomain}/${segments.join('/')}`;
  const parsed = parseSpiffeId(raw);
  return parsed.ok ? { ok: true, value: raw } : parsed;
}

/** True when `id` parses and lies in `trustDomain` (parsed, never a string-prefix test). */
export function isInTrustDomain(id: string, trustDomain: string): boolean {
  const parsed = parseSpiffeId(id);
  return parsed.ok && parsed.value.trustDomain === trustDomain;
}

/** True when `id` equals `root` or lies below it as a path (`root/...`). Both must parse. */
export function isUnder(id: string, root: string): boolean {
  const a = parseSpiffeId(id);
  const b = parseSpiffeId(root);
  if (!a.ok || !b.ok || a.value.trustDomain !== b.value.trustDomain) return false;
  return a.value.path === b.value.path || a.value.path.startsWith(`${b.value.path}/`);
}

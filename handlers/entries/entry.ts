// The registrar's own view of a SPIRE registration entry. Protobuf never leaves adapters/spire; every
// other layer speaks this type. SPIFFE IDs are canonical strings (`spiffe://td/path`), federates_with
// holds bare trust domain names as the server returns them.

export type Selector = { readonly type: string; readonly value: string };

export type Entry = {
  /** Server-assigned ID; "" for an entry not created yet. */
  readonly id: string;
  readonly spiffeId: string;
  readonly parentId: string;
  readonly selectors: readonly Selector[];
  /** Seconds; 0 = server default. */
  readonly x509SvidTtl: number;
  readonly jwtSvidTtl: number;
  readonly federatesWith: readonly string[];
  readonly admin: boolean;
  readonly downstream: boolean;
  /** Unix seconds; 0 = never. */
  readonly expiresAt: number;
  readonly dnsNames: readonly string[];
  readonly revisionNumber: number;
  readonly storeSvid: boolean;
  readonly hint: string;
  /** Unix seconds, set by the server. */
  readonly createdAt: number;
  /** SPIRE >= 1.15 `additional_attributes`; absent when the server sent none. Kept so that a full-replace
   *  update of an entry someone else configured does not clear them. */
  readonly additionalAttributes?: AdditionalAttributes;
};

export type AdditionalAttributes = { readonly disableX509SvidPrefetch: boolean; readonly jwtSvidIncludeJti: boolean };

export type EntryInit = Pick<Entry, 'spiffeId' | 'parentId' | 'selectors'> & Partial<Entry>;

/** Fills every field the caller did not set with SPIRE's zero value. */
export function newEntry(init: EntryInit): Entry {
  return {
    id: '',
    x509SvidTtl: 0,
    jwtSvidTtl: 0,
    federatesWith: [],
    admin: false,
    downstream: false,
    expiresAt: 0,
    dnsNames: [],
    revisionNumber: 0,
    storeSvid: false,
    hint: '',
    createdAt: 0,
    ...init,
  };
}

/** Every field equal, lists in the same order: the two may stand for each other (one can be dropped). */
export function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  return (
    a.id === b.id &&
    a.spiffeId === b.spiffeId &&
    a.parentId === b.parentId &&
    a.x509SvidTtl === b.x509SvidTtl &&
    a.jwtSvidTtl === b.jwtSvidTtl &&
    a.admin === b.admin &&
    a.downstream === b.downstream &&
    a.expiresAt === b.expiresAt &&
    a.revisionNumber === b.revisionNumber &&
    a.storeSvid === b.storeSvid &&
    a.hint === b.hint &&
    a.createdAt === b.createdAt &&
    sameList(a.selectors, b.selectors, (x, y) => x.type === y.type && x.value === y.value) &&
    sameList(a.federatesWith, b.federatesWith, (x, y) => x === y) &&
    sameList(a.dnsNames, b.dnsNames, (x, y) => x === y) &&
    a.additionalAttributes?.disableX509SvidPrefetch === b.additionalAttributes?.disableX509SvidPrefetch &&
    a.additionalAttributes?.jwtSvidIncludeJti === b.additionalAttributes?.jwtSvidIncludeJti &&
    (a.additionalAttributes === undefined) === (b.additionalAttributes === undefined)
  );
}

function sameList<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => eq(x, b[i] as T));
}

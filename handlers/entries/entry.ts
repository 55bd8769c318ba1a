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

// TypeScript shapes of the proto messages as @grpc/proto-loader decodes them (adapters/spire/protos.ts:
// snake_case names, defaults filled in, absent messages null). Only adapters/spire and
// adapters/spire-memory see these; everything else speaks handlers/entries/entry.ts.

export type WireSpiffeId = { trust_domain: string; path: string };
export type WireSelector = { type: string; value: string };
export type WireStatus = { code: number; message: string };
export type WireAdditionalAttributes = { disable_x509_svid_prefetch: boolean; jwt_svid_include_jti: boolean };

export type WireEntry = {
  id: string;
  spiffe_id: WireSpiffeId | null;
  parent_id: WireSpiffeId | null;
  selectors: WireSelector[];
  x509_svid_ttl: number;
  federates_with: string[];
  admin: boolean;
  downstream: boolean;
  expires_at: number;
  dns_names: string[];
  revision_number: number;
  store_svid: boolean;
  jwt_svid_ttl: number;
  hint: string;
  created_at: number;
  additional_attributes?: WireAdditionalAttributes | null;
};

export const entryMaskFields = [
  'spiffe_id', 'parent_id', 'selectors', 'x509_svid_ttl', 'federates_with', 'admin', 'downstream', 'expires_at',
  'dns_names', 'revision_number', 'store_svid', 'jwt_svid_ttl', 'hint', 'created_at', 'additional_attributes',
] as const;
export type EntryMaskField = (typeof entryMaskFields)[number];
export type WireEntryMask = Partial<Record<EntryMaskField, boolean>>;

/** MatchBehavior enum values, shared by SelectorMatch and FederatesWithMatch. */
export const WireMatch = { EXACT: 0, SUBSET: 1, SUPERSET: 2, ANY: 3 } as const;

export type WireEntryFilter = {
  by_spiffe_id?: WireSpiffeId | null;
  by_parent_id?: WireSpiffeId | null;
  by_selectors?: { selectors: WireSelector[]; match: number } | null;
  by_federates_with?: { trust_domains: string[]; match: number } | null;
  by_hint?: { value: string } | null;
  by_downstream?: { value: boolean } | null;
};

export type ListEntriesRequest = { filter?: WireEntryFilter | null; output_mask?: WireEntryMask | null; page_size?: number; page_token?: string };
export type ListEntriesResponse = { entries: WireEntry[]; next_page_token: string };
export type CountEntriesRequest = { filter?: WireEntryFilter | null };
export type CountEntriesResponse = { count: number };
export type GetEntryRequest = { id: string; output_mask?: WireEntryMask | null };
export type BatchCreateEntryRequest = { entries: WireEntry[]; output_mask?: WireEntryMask | null };
export type BatchUpdateEntryRequest = { entries: WireEntry[]; input_mask?: WireEntryMask | null; output_mask?: WireEntryMask | null };
export type EntryResultWire = { status: WireStatus; entry: WireEntry | null };
export type BatchEntryResponse = { results: EntryResultWire[] };
export type BatchDeleteEntryRequest = { ids: string[] };
export type BatchDeleteEntryResponse = { results: { status: WireStatus; id: string }[] };

export type MintX509SvidRequest = { csr: Uint8Array; ttl: number };
export type WireX509Svid = { cert_chain: Uint8Array[]; id: WireSpiffeId | null; expires_at: number; hint: string };
export type MintX509SvidResponse = { svid: WireX509Svid | null };
export type GetBundleRequest = { output_mask?: Partial<Record<'x509_authorities' | 'jwt_authorities' | 'refresh_hint' | 'sequence_number' | 'wit_authorities', boolean>> | null };
export type WireBundle = { trust_domain: string; x509_authorities: { asn1: Uint8Array; tainted: boolean }[]; refresh_hint: number; sequence_number: number };

export type WorkloadX509Svid = { spiffe_id: string; x509_svid: Uint8Array; x509_svid_key: Uint8Array; bundle: Uint8Array; hint: string };
export type X509SvidResponse = { svids: WorkloadX509Svid[]; crl: Uint8Array[]; federated_bundles: Record<string, Uint8Array> };

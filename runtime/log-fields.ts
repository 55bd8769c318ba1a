// Field names of structured log lines, in one place (as spire-controller-manager's logging.go does), so
// operators' queries and the tutorial's greps keep working. Messages are constant sentences; what varies
// goes in these fields.
import type { Entry } from '../handlers/entries/entry.js';
import { formatSelector } from '../handlers/entries/selectors.js';

export const LogField = {
  entryId: 'entry_id',
  spiffeId: 'spiffe_id',
  parentId: 'parent_id',
  selectors: 'selectors',
  dnsNames: 'dns_names',
  federatesWith: 'federates_with',
  namespace: 'namespace',
  name: 'name',
  component: 'component',
  status: 'status',
} as const;

export function entryLogFields(e: Pick<Entry, 'id' | 'spiffeId' | 'parentId' | 'selectors' | 'dnsNames' | 'federatesWith'>): Record<string, unknown> {
  return {
    [LogField.entryId]: e.id,
    [LogField.spiffeId]: e.spiffeId,
    [LogField.parentId]: e.parentId,
    [LogField.selectors]: e.selectors.map(formatSelector).join(','),
    ...(e.dnsNames.length > 0 ? { [LogField.dnsNames]: e.dnsNames.join(',') } : {}),
    ...(e.federatesWith.length > 0 ? { [LogField.federatesWith]: e.federatesWith.join(',') } : {}),
  };
}

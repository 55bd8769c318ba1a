import { compareEntriesForShow, formatEntryBlock, line } from '../entries/format-entry-show.js';
import type { Change, ChangePlan, SpiffeIdChange } from './change-plan.js';

// `plan`'s output: each group in `spire-server entry show`'s layout, every entry with a Reason line, then
// a one-line summary. The entry printed for an update is the entry as it would be after the update.

export function formatChangePlan(p: ChangePlan): string {
  const out: string[] = [];
  const s = p.spiffeIds;
  if (s) {
    spiffeIdGroup(out, 'SpiffeIDs to create', s.create);
    spiffeIdGroup(out, 'SpiffeIDs to update', s.update);
    spiffeIdGroup(out, 'SpiffeIDs to delete', s.delete);
  }
  entryGroup(out, 'to create', p.create);
  entryGroup(out, 'to update', p.update);
  entryGroup(out, 'to delete', p.delete);
  entryGroup(out, 'left alone', p.leftAlone);
  if (p.problems.length > 0) {
    out.push(`Objects without an entry: ${p.problems.length}`);
    for (const problem of p.problems) out.push(`  ${problem}`);
    out.push('');
  }
  if (out[out.length - 1] !== '') out.push('');
  const sp = s ? `SpiffeIDs: ${s.create.length} to create, ${s.update.length} to update, ${s.delete.length} to delete. ` : '';
  out.push(`${sp}Entries: ${p.create.length} to create, ${p.update.length} to update, ${p.delete.length} to delete, ${p.leftAlone.length} left alone.`);
  return `${out.join('\n')}\n`;
}

function entryGroup(out: string[], title: string, changes: readonly Change[]): void {
  out.push(`${changes.length === 1 ? 'Entry' : 'Entries'} ${title}: ${changes.length}`);
  if (changes.length > 0) out.push('');
  for (const c of [...changes].sort((a, b) => compareEntriesForShow(a.entry, b.entry))) {
    const block = formatEntryBlock(c.entry);
    block.splice(block.length - 1, 0, line('Reason', c.reason));
    out.push(...block);
  }
}

function spiffeIdGroup(out: string[], title: string, changes: readonly SpiffeIdChange[]): void {
  out.push(`${title}: ${changes.length}`);
  for (const c of changes) out.push(`  ${c.namespace}/${c.name}: ${c.reason}`);
  if (changes.length > 0) out.push('');
}

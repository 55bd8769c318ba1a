// `k8s-workload-registrar entry show`: lists entries from any SPIRE server socket (real or in-memory) in
// the layout of `spire-server entry show`, with its flags and defaults: -selector matches SUPERSET unless
// -matchSelectorsOn says otherwise, pages of 500, -entryID fetches one entry. Ref:
// docs/spire-entry-api.md section 3; SPIRE cmd/spire-server/cli/entry/show.go.
import * as grpc from '@grpc/grpc-js';
import type { Entry } from '../../handlers/entries/entry.js';
import { formatEntryShow } from '../../handlers/entries/format-entry-show.js';
import { parseSelector } from '../../handlers/entries/selectors.js';
import { parseSpiffeId } from '../../handlers/entries/spiffe-id.js';
import { type EntryFilter, type MatchBehavior, SpireCallError } from '../../adapters/entry-store.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { processIo, type CommandIo } from './command-io.js';
import { FlagError, parseGoFlags } from './go-flags.js';

export const DEFAULT_SERVER_SOCKET = '/tmp/spire-server/private/api.sock';

const USAGE = `Usage: k8s-workload-registrar entry show [flags]
  -socketPath string         path to the SPIRE server API socket (default "${DEFAULT_SERVER_SOCKET}")
  -entryID string            the entry ID of the record to show
  -spiffeID string           the SPIFFE ID of the records to show
  -parentID string           the parent ID of the records to show
  -selector type:value       a colon-delimited type:value selector; can be used more than once
  -matchSelectorsOn string   exact, subset, superset or any (default "superset")
  -federatesWith string      a trust domain the entries federate with; can be used more than once
  -matchFederatesOn string   exact, subset, superset or any (default "superset")
`;

const behaviors: readonly MatchBehavior[] = ['exact', 'subset', 'superset', 'any'];

/** Go's names for gRPC codes, as `rpc error: code = NotFound desc = ...` prints them. */
const goCodeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

function rpcErrorText(err: unknown): string {
  if (!(err instanceof SpireCallError)) return err instanceof Error ? err.message : String(err);
  const details = (err.cause as grpc.ServiceError | undefined)?.details ?? err.message;
  return `rpc error: code = ${goCodeNames[err.code] ?? `Code(${err.code})`} desc = ${details}`;
}

function matchFlag(value: string, flag: string): MatchBehavior {
  if (!(behaviors as readonly string[]).includes(value)) throw new FlagError(`unsupported match behavior "${value}" for -${flag}`);
  return value as MatchBehavior;
}

function idFlag(value: string, flag: string): string {
  const parsed = parseSpiffeId(value);
  if (!parsed.ok) throw new FlagError(`-${flag} "${value}" is not a valid SPIFFE ID: ${parsed.error}`);
  return value;
}

type Query = { socketPath: string; entryId?: string; filter: EntryFilter };

function parseQuery(argv: readonly string[]): Query {
  const { flags, positional } = parseGoFlags(argv, {
    socketPath: { kind: 'string', default: DEFAULT_SERVER_SOCKET },
    entryID: { kind: 'string' }, spiffeID: { kind: 'string' }, parentID: { kind: 'string' },
    selector: { kind: 'list' }, matchSelectorsOn: { kind: 'string', default: 'superset' },
    federatesWith: { kind: 'list' }, matchFederatesOn: { kind: 'string', default: 'superset' },
  });
  if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
  const selectors = (flags.selector as string[]).map((s) => {
    const parsed = parseSelector(s);
    if (!parsed) throw new FlagError(`selector "${s}" must be formatted as type:value`);
    return parsed;
  });
  const federatesWith = flags.federatesWith as string[];
  const selectorMatch = matchFlag(flags.matchSelectorsOn as string, 'matchSelectorsOn');
  const federatesMatch = matchFlag(flags.matchFederatesOn as string, 'matchFederatesOn');
  const filter: EntryFilter = {
    ...(flags.spiffeID !== undefined ? { bySpiffeId: idFlag(flags.spiffeID as string, 'spiffeID') } : {}),
    ...(flags.parentID !== undefined ? { byParentId: idFlag(flags.parentID as string, 'parentID') } : {}),
    ...(selectors.length > 0 ? { bySelectors: { selectors, match: selectorMatch } } : {}),
    ...(federatesWith.length > 0 ? { byFederatesWith: { trustDomains: federatesWith, match: federatesMatch } } : {}),
  };
  return { socketPath: flags.socketPath as string, ...(flags.entryID !== undefined ? { entryId: flags.entryID as string } : {}), filter };
}

export async function run(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv.some((a) => ['-h', '-help', '--help'].includes(a))) {
    io.stdout.write(USAGE);
    return 0;
  }
  let query: Query;
  try {
    query = parseQuery(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${USAGE}`);
    return 2;
  }
  // One attempt, as the spire-server CLI makes: a missing socket should fail at once.
  const spire = await connectSpire({ serverAddress: `unix://${query.socketPath}`, trustDomain: '', batchSizes: { listPage: 500 }, retry: { maxAttempts: 1 }, waitForReady: false });
  try {
    let entries: Entry[];
    if (query.entryId !== undefined) {
      try {
        entries = [await spire.entries.getEntry(query.entryId)];
      } catch (err) {
        io.stderr.write(`Error: error fetching entry ID ${query.entryId}: ${rpcErrorText(err)}\n`);
        return 1;
      }
    } else {
      try {
        entries = await spire.entries.listEntries(query.filter);
      } catch (err) {
        io.stderr.write(`Error: error fetching entries: ${rpcErrorText(err)}\n`);
        return 1;
      }
    }
    io.stdout.write(formatEntryShow(entries));
    return 0;
  } finally {
    await spire.close();
  }
}

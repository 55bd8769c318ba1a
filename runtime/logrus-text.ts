// The original registrar logged through logrus' TextFormatter; operators' greps and the tutorial expect
// that layout: `time="..." level=info msg="Created pod entry" entry_id=... spiffe_id=...`.
// Facts reproduced (sirupsen/logrus text_formatter.go, non-terminal output): keys time, level, msg
// first, then the other fields sorted by name; a value is quoted only when it holds a character outside
// [A-Za-z0-9-._/@^+]; an empty message is left out; errors appear under the key `error`.

const BARE = /^[A-Za-z0-9\-._/@^+]*$/;

/** One pino JSON record (level already as a label, time as an ISO string) -> one text line. */
export function formatLogrusText(record: Readonly<Record<string, unknown>>): string {
  const { time, level, msg, err, ...fields } = record;
  const parts: string[] = [];
  if (typeof time === 'string') parts.push(`time=${quote(time.replace(/\.\d+Z$/, 'Z'))}`);
  parts.push(`level=${quote(String(level))}`);
  if (msg !== undefined && msg !== '') parts.push(`msg=${quote(String(msg))}`);
  const rest: [string, unknown][] = Object.entries(fields);
  if (err !== undefined) rest.push(['error', errorText(err)]);
  for (const [key, value] of rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value !== undefined) parts.push(`${key}=${quote(valueText(value))}`);
  }
  return `${parts.join(' ')}\n`;
}

function quote(text: string): string {
  // Go's %q and JSON agree on the escapes that matter here (quote, backslash, newline, tab).
  return BARE.test(text) ? text : JSON.stringify(text);
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return '<nil>';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** pino's err serializer gives { type, message, stack }, its message already joined with the causes'. */
function errorText(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return valueText(err);
}

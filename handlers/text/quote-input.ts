// Quoting input that came from outside (a review, a pod, a config file) into a message. Such input can be
// megabytes long; a refusal only needs enough of it to recognise, so the quote is cut at `max` characters
// and says how long the original was. Used for every message a client or an operator reads: HTTP bodies,
// admission warnings and log fields.

/** Characters of one quoted value kept in a message. */
export const maxQuotedChars = 128;

/** JSON-quotes `value`, cut to `max` characters: `"aaaa…" (3145728 characters)`. */
export function quoteInput(value: unknown, max = maxQuotedChars): string {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value) ?? value);
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** `value` itself when short, else cut to `max` characters with a marker; for log fields. */
export function clipInput(value: string, max = maxQuotedChars): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/**
 * An error and its causes as one line: `create pod entry: create entries (batch 1): connect ENOENT: 14 UNAVAILABLE`.
 * A cause whose text the line already holds adds only its gRPC code prefix ("14 UNAVAILABLE: ..."
 * wrapped by an adapter error that repeats the detail).
 */
export function oneLineError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
    const coded = /^(\d+ [A-Z_]+): (.*)$/.exec(message);
    const detail = coded ? (coded[2] as string) : message;
    const line = parts.join(': ');
    if (detail && line.includes(detail)) {
      if (coded) parts.push(coded[1] as string);
    } else if (message) {
      parts.push(message);
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}

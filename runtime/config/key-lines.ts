// The HCL parser's JSON output has no positions, so error messages find a key's line here: a small
// scanner that skips comments, strings and heredocs, tracks bracket depth, and records the line of
// each top-level `name =` or `name {` (block) it meets. The first definition wins.

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;

export function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let line = 1;
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  const n = text.length;
  const skipTo = (end: number) => {
    for (; i < end && i < n; i++) if (text[i] === '\n') line++;
  };
  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && next === '/')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      skipTo(end === -1 ? n : end + 2);
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      atLineStart = false;
      continue;
    }
    if (c === '<' && next === '<') {
      const m = /<<-?([A-Za-z_][A-Za-z0-9_]*)[^\n]*\n/y;
      m.lastIndex = i;
      const hd = m.exec(text);
      if (hd) {
        const end = new RegExp(`^[ \\t]*${hd[1]}[ \\t]*$`, 'm');
        const rest = text.slice(m.lastIndex);
        const found = end.exec(rest);
        skipTo(found ? m.lastIndex + found.index + found[0].length : n);
        atLineStart = false;
        continue;
      }
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth = Math.max(0, depth - 1);
    else if (atLineStart && depth === 0) {
      IDENT.lastIndex = i;
      const id = IDENT.exec(text);
      if (id) {
        const after = /\s*(=|\{|")/y;
        after.lastIndex = IDENT.lastIndex;
        if (after.exec(text) && !lines.has(id[0])) lines.set(id[0], line);
        i = IDENT.lastIndex;
        atLineStart = false;
        continue;
      }
    }
    atLineStart = false;
    i++;
  }
  return lines;
}

/**
 * Appends entries to the "feeds" array of a feeds.json text without
 * rewriting the rest: the user's formatting, key order and other settings
 * stay byte for byte. Each new feed goes on its own line, as the sample
 * feeds.json writes them. Pure text → text; null when the text has no
 * top-level "feeds" array to append to.
 */
export function appendFeeds(text: string, entries: object[]): string | null {
  if (entries.length === 0) return text;
  const span = topLevelArray(text, 'feeds');
  if (!span) return null;
  const { open, close } = span;
  const inside = text.slice(open + 1, close);
  const lines = entries.map((e) => `{ ${Object.entries(e).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`);
  if (inside.trim() === '') {
    const indent = lineIndent(text, open);
    return `${text.slice(0, open + 1)}\n${lines.map((l) => `${indent}  ${l}`).join(',\n')}\n${indent}${text.slice(close)}`;
  }
  // Indent like the last entry; insert after it (before any trailing whitespace).
  const lastEnd = open + 1 + inside.trimEnd().length;
  const lastLineStart = text.lastIndexOf('\n', lastEnd - 1) + 1;
  const multiline = inside.includes('\n');
  const indent = multiline ? (/^[ \t]*/.exec(text.slice(lastLineStart))?.[0] ?? '  ') : '';
  const sep = multiline ? `,\n${indent}` : ', ';
  return `${text.slice(0, lastEnd)}${sep}${lines.join(sep)}${text.slice(lastEnd)}`;
}

function lineIndent(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** Offsets of the brackets of `"key": [ … ]` in the root object; strings and nesting are skipped. */
function topLevelArray(text: string, key: string): { open: number; close: number } | null {
  let depth = 0;
  let open = -1;
  let pendingKey: string | null = null;
  let lastString: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (c === ':' && depth === 1) pendingKey = lastString;
    else if (c === ',' && depth === 1) pendingKey = null;
    else if (c === '{' || c === '[') {
      if (c === '[' && depth === 1 && pendingKey === key) open = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (c === ']' && depth === 1 && open >= 0) return { open, close: i };
    }
  }
  return null;
}

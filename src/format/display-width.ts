/**
 * Text length as readers see it: a CJK (or other full-width) character
 * counts as two columns, anything else as one. A Chinese sentence says as
 * much as an English one about twice as long, so lengths that decide
 * something (excerpts, "is this item only a summary?") are counted this way.
 */
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;

export function isWide(char: string): boolean {
  return WIDE.test(char);
}

/** Columns of `text` with runs of white space counted as one. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(/\s+/g, ' ').trim()) width += WIDE.test(char) ? 2 : 1;
  return width;
}

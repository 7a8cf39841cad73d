/** Longest client-chosen name (operation, variable, field, parameter) an error message may quote. */
export const MAX_QUOTED_NAME = 64;
/** Longest error message sent to a client. */
export const MAX_MESSAGE = 300;

const ELLIPSIS = '…';
const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}${ELLIPSIS}` : text);

/**
 * Caps every double-quoted segment of a message at MAX_QUOTED_NAME and the whole at MAX_MESSAGE,
 * in one linear pass: graphql-js and Yoga quote names this way, and a client may choose names of
 * any length.
 */
export function capQuoted(message: string): string {
  let out = '';
  let start = 0;
  let quoted = false;
  for (let i = message.indexOf('"'); i !== -1 && out.length <= MAX_MESSAGE; i = message.indexOf('"', start)) {
    const segment = message.slice(start, i);
    out += `${quoted ? cut(segment, MAX_QUOTED_NAME) : segment}"`;
    quoted = !quoted;
    start = i + 1;
  }
  if (out.length <= MAX_MESSAGE) {
    const rest = message.slice(start, start + MAX_MESSAGE + 1);
    out += quoted ? cut(rest, MAX_QUOTED_NAME) : rest;
  }
  return cut(out, MAX_MESSAGE);
}

/** A GraphQL Name (no quotes, spaces or punctuation), as the lexer accepts it. */
export function isName(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

/** A response path as graphql-js prints it inside a variable error: names joined by `.`, list indices in `[n]`. */
export function isPrintedPath(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const allowed = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 91 || c === 93;
    if (!allowed) return false;
  }
  return text.length > 0;
}

/**
 * What an example printed, with what changes from run to run replaced by a placeholder: temporary
 * paths, ids, hashes, signatures, key material and the current time. Everything else is shown as it came.
 */
import type { ExampleContext } from './example-context.js';

const JWS = /\beyJ[\w-]*\.[\w-]*\.[\w-]+/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const SHA256 = /\b[0-9a-f]{64}\b/g;
/** Key material and other long random strings in JSON (a JWK's `x`, a cursor). */
const BASE64URL = /"[A-Za-z0-9_-]{40,}={0,2}"/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
/** Times this close to the run are the run's own (a literal date in a document is kept). */
const NOW_WINDOW_MS = 2 * 24 * 3600 * 1000;

export function normalizeOutput(text: string, context: ExampleContext): string {
  const now = Date.now();
  return context
    .shown(text)
    .replace(JWS, '<jws>')
    .replace(UUID, '<uuid>')
    .replace(SHA256, '<sha256>')
    .replace(BASE64URL, '"<base64url>"')
    .replace(ISO_TIME, (time) => (Math.abs(Date.parse(time) - now) < NOW_WINDOW_MS ? '<now>' : time))
    .replace(/\s+$/, '\n');
}

const INDENT = '  ';
const SHORT = 72;

/** JSON as a reader wants it: two-space indentation, with a short array or object of plain values on one line. */
export function showJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Array.isArray(value) ? value.map((v) => [null, v] as const) : Object.entries(value).map(([k, v]) => [k, v] as const);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (!entries.length) return `${open}${close}`;
  const plain = entries.every(([, v]) => v === null || typeof v !== 'object');
  const item = ([key, v]: readonly [string | null, unknown]): string => `${key === null ? '' : `${JSON.stringify(key)}: `}${showJson(v, depth + 1)}`;
  const inline = `${open}${Array.isArray(value) ? '' : ' '}${entries.map(item).join(', ')}${Array.isArray(value) ? '' : ' '}${close}`;
  if (plain && inline.length + depth * INDENT.length <= SHORT) return inline;
  const pad = INDENT.repeat(depth + 1);
  return `${open}\n${entries.map((e) => pad + item(e)).join(',\n')}\n${INDENT.repeat(depth)}${close}`;
}

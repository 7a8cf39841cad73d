/**
 * RFC 8785 (JCS) canonical JSON, byte for byte what the `canonicalize` package produces (a property
 * test holds the two equal, with the package as the oracle), without its per-character surrogate
 * scan and per-object bookkeeping: audit events hash thousands of strings per request, and this is
 * on the request's path. Throws where `canonicalize` throws: NaN, infinities, lone surrogates and
 * cycles.
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value, []);
  if (text === undefined) throw new TypeError('value cannot be canonicalised');
  return text;
}

// In unicode mode a surrogate pair is one code point: only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

function primitive(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // One native regex test; the package scans every character in JavaScript.
    if (LONE_SURROGATE.test(value)) throw new Error('Lone surrogate is not allowed');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
  }
  return JSON.stringify(value);
}

/** Every item a string, and no holes (`every` skips them; JSON.stringify would write null). */
function allStrings(list: readonly unknown[]): boolean {
  let seen = 0;
  const strings = list.every((item) => {
    seen += 1;
    return typeof item === 'string';
  });
  return strings && seen === list.length;
}

function serialize(value: unknown, path: object[]): string | undefined {
  if (value === null || typeof value !== 'object') return primitive(value);
  if (path.includes(value)) throw new Error('Circular reference detected');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    path.push(value);
    const result = serialize((toJSON as () => unknown).call(value), path);
    path.pop();
    return result;
  }
  if (Array.isArray(value) && allStrings(value)) {
    // Lists of identifiers (an event's subjects): one native check and one native serialisation.
    // The separator keeps two strings from forming a surrogate pair across their boundary.
    if (LONE_SURROGATE.test(value.join('\u0000'))) throw new Error('Lone surrogate is not allowed');
    return JSON.stringify(value);
  }
  path.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      // As the package (Array#map, then join): a hole, or an item that serialises to nothing (a
      // function, a toJSON returning undefined), writes nothing between its commas.
      const text = !(i in value) ? '' : item === undefined || typeof item === 'symbol' ? 'null' : (serialize(item, path) ?? '');
      out += (i === 0 ? '' : ',') + text;
    }
    out += ']';
  } else {
    out = '{';
    let first = true;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined || typeof item === 'symbol') continue;
      out += `${first ? '' : ','}${primitive(key)}:${serialize(item, path)}`;
      first = false;
    }
    out += '}';
  }
  path.pop();
  return out;
}

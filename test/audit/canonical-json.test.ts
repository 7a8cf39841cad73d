import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/canonical-json.js';

// The `canonicalize` package (RFC 8785) is the oracle: audit hashes and state seals made before
// govgate had its own serializer must still verify, byte for byte.
const oracle = (value: unknown): string | undefined => canonicalize(value);

const withUndefined = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('canonicalJson', () => {
  it('equals the canonicalize package on any JSON value, dates and undefined members', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary' }), withUndefined), (value) => {
        expect(canonicalJson(value)).toBe(oracle(value));
      }), { numRuns: 2000 });
  });

  it('equals it on strings of any code points, and throws where it throws (lone surrogates)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (strings) => {
        let expected: string | undefined;
        try {
          expected = oracle(strings);
        } catch {
          expect(() => canonicalJson(strings)).toThrow();
          return;
        }
        expect(canonicalJson(strings)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(() => canonicalJson({ a: 'x\uD800' })).toThrow(/Lone surrogate/);
    expect(() => canonicalJson(['\uDC00y'])).toThrow(/Lone surrogate/);
    expect(canonicalJson(['\uD83D\uDE00'])).toBe(oracle(['\uD83D\uDE00']));
    // Two lone halves in neighbouring items are not a pair.
    expect(() => oracle(['\uD83D', '\uDE00'])).toThrow();
    expect(() => canonicalJson(['\uD83D', '\uDE00'])).toThrow(/Lone surrogate/);
  });

  it('equals it where JSON has no answer: holes, and items that serialise to nothing (functions, toJSON returning undefined)', () => {
    const nothing = fc.constantFrom<unknown>(() => 1, { toJSON: () => undefined }, Symbol('s'), undefined);
    const odd = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        nothing,
        fc.sparseArray(tie('value'), { maxLength: 6 }),
        fc.sparseArray(fc.string(), { maxLength: 6 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(fc.property(fc.array(odd, { maxLength: 4 }), (value) => {
        expect(canonicalJson(value)).toBe(oracle(value));
      }), { numRuns: 2000 });
    const holey = ['a', 'x', 'b'];
    delete holey[1];
    expect(canonicalJson(holey)).toBe(oracle(holey));
  });

  it('refuses NaN, infinities and cycles like the package', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/Circular/);
    // The same object twice is not a cycle.
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: [shared] })).toBe(oracle({ x: shared, y: [shared] }));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageBand, applyStrategy, createPseudonymizer, generalizeToCountry, generalizeToYear, maskEmail, maskGeneric, maskPhone } from '../../src/governance/redact/index.js';
import type { FieldGovernance } from '../../src/governance/index.js';

const context = { tenant: 't1', pseudonymizer: createPseudonymizer(Buffer.alloc(32, 7)), now: new Date('2026-11-27T00:00:00Z') };
const field = (strategy: FieldGovernance['strategy'], extra: Partial<FieldGovernance> = {}): FieldGovernance => ({ category: 'user.name', purposes: ['essential'], strategy, ...extra });

describe('masks', () => {
  it('keeps the first letter and the domain of an email', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskEmail('no-at-sign')).toBe('n***');
  });
  it('keeps the shape and last two digits of a phone number', () => {
    expect(maskPhone('+33 6 12 34 56 42')).toBe('+** * ** ** ** 42');
    expect(maskPhone('0612345678')).toBe('********78');
  });
  it('keeps only the first character otherwise', () => {
    expect(maskGeneric('Alice')).toBe('A***');
    expect(maskGeneric('')).toBe('');
  });
  it('never returns the original value for anything longer than a character', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2 }), (value) => {
        expect(applyStrategy(field('mask'), value, context)).not.toBe(value);
        expect(applyStrategy(field('mask', { category: 'user.contact.email' }), value, context)).not.toBe(value);
      }),
    );
  });
});

describe('pseudonyms', () => {
  it('are stable within a tenant, differ across tenants and keys, and never contain the value', () => {
    const other = createPseudonymizer(Buffer.alloc(32, 8));
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (value) => {
        const a = context.pseudonymizer.pseudonym('t1', value);
        expect(a).toBe(context.pseudonymizer.pseudonym('t1', value));
        expect(a).not.toBe(context.pseudonymizer.pseudonym('t2', value));
        expect(a).not.toBe(other.pseudonym('t1', value));
        expect(a).toMatch(/^h_[A-Za-z0-9_-]{22}$/);
      }),
    );
  });
});

describe('generalisation and truncation', () => {
  it('reduces a date to its year, a birth date to an age band, a location to its country', () => {
    expect(generalizeToYear(new Date('1990-04-12T00:00:00Z')).toISOString()).toBe('1990-01-01T00:00:00.000Z');
    expect(ageBand(new Date('1990-04-12T00:00:00Z'), context.now)).toBe('35-44');
    expect(ageBand(new Date('2012-01-01T00:00:00Z'), context.now)).toBe('13-15');
    expect(ageBand(new Date('1950-01-01T00:00:00Z'), context.now)).toBe('65+');
    expect(generalizeToCountry('12 Rue de Rivoli, Paris, FR')).toBe('FR');
    expect(applyStrategy(field('generalize', { generalize: 'age_band' }), new Date('2000-06-01T00:00:00Z'), context)).toBe('25-34');
  });
  it('an age band counts completed years: 17 before the 18th birthday is not 18-24', () => {
    expect(ageBand(new Date('2008-12-15T00:00:00Z'), context.now)).toBe('16-17');
    expect(ageBand(new Date('2008-11-27T00:00:00Z'), context.now)).toBe('18-24');
  });
  it('truncates to the configured length', () => {
    expect(applyStrategy(field('truncate'), 'Alice Martin', context)).toBe('A…');
    expect(applyStrategy(field('truncate', { truncate: 0 }), 'secret title', context)).toBe('…');
    expect(applyStrategy(field('truncate', { truncate: 3 }), 'ab', context)).toBe('ab');
  });
  it('turns values a strategy cannot transform into null, and drops lists', () => {
    expect(applyStrategy(field('mask'), { nested: true }, context)).toBeNull();
    expect(applyStrategy(field('hash'), new Date(), context)).toBeNull();
    expect(applyStrategy(field('null'), 'anything', context)).toBeNull();
    expect(applyStrategy(field('drop'), ['a', 'b'], context)).toEqual([]);
  });
});

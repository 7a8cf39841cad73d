import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStateSeal } from '../../src/governance/index.js';

const key = randomBytes(32);

const date = fc.date({ min: new Date('1950-01-01'), max: new Date('2030-01-01'), noInvalidDate: true });
const user = fc.record({
  tenant: fc.constantFrom('t1', 't2'),
  subject: fc.constantFrom('alice', 'bob', 'carol'),
  restricted: fc.boolean(),
  objections: fc.uniqueArray(fc.constantFrom('marketing.communications', 'train_ai_system', 'analytics.reporting'), { maxLength: 3 }),
  erasure: fc.constantFrom('ACTIVE', 'ERASURE_PENDING'),
  birthDate: fc.option(date, { nil: null }),
  guardian: fc.option(fc.record({ consent: fc.boolean() }), { nil: null }),
  mipOptOutPeriods: fc.array(fc.record({ from: date, until: fc.option(date, { nil: null }) }), { maxLength: 2 }),
});

// Each way a database writer could change a sealed field while keeping the seal.
const edits: ((u: Record<string, unknown>) => void)[] = [
  (u) => (u.restricted = !u.restricted),
  (u) => (u.objections = []),
  (u) => (u.objections = [...(u.objections as string[]), 'personalize']),
  (u) => (u.erasure = u.erasure === 'ACTIVE' ? 'ERASED' : 'ACTIVE'),
  (u) => (u.birthDate = new Date('1970-01-01')),
  (u) => (u.birthDate = '1970-01-01'),
  (u) => (u.guardian = { consent: !(u.guardian as { consent?: boolean } | null)?.consent }),
  (u) => (u.mipOptOutPeriods = []),
  (u) => (u.subject = `${String(u.subject)}x`),
  (u) => (u.tenant = `${String(u.tenant)}x`),
  (u) => (u.restricted = 'true'),
];

describe('verified seals remembered across requests', () => {
  it('a record read again verifies from memory, and any edit of a sealed field, before or after, is caught as by a fresh check', () => {
    const seal = createStateSeal(key);
    fc.assert(
      fc.property(user, fc.integer({ min: 0, max: edits.length - 1 }), (fields, e) => {
        const genuine = { ...fields, seal: seal.user(fields) };
        // A fresh seal under the same key remembers nothing: the oracle.
        const fresh = createStateSeal(key);
        expect(seal.verifyUser(genuine)).toBe(true);
        expect(seal.verifyUser({ ...genuine })).toBe(true);
        expect(seal.verifiedUserState(genuine)).toEqual(fresh.verifiedUserState(genuine));
        const edited: Record<string, unknown> = structuredClone(genuine);
        edits[e]!(edited);
        const expected = fresh.verifyUser(edited as never);
        expect(seal.verifyUser(edited as never)).toBe(expected);
        expect(seal.verifiedUserState(edited as never) === null).toBe(!expected);
        expect(seal.verifyUser(genuine)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a consent record likewise: remembered by seal, checked field by field', () => {
    const seal = createStateSeal(key);
    const consent = { _id: 'c1', tenant: 't', subject: 's', purpose: 'train_ai_system', status: 'GRANTED', policyVersion: 'v1', at: new Date('2026-01-01') };
    const genuine = { ...consent, seal: seal.consent(consent) };
    expect(seal.verifyConsent(genuine)).toBe(true);
    expect(seal.verifyConsent({ ...genuine })).toBe(true);
    for (const edit of [{ status: 'WITHDRAWN' }, { policyVersion: 'v2' }, { purpose: 'personalize' }, { subject: 'x' }, { _id: 'c2' }, { at: new Date('2026-01-02') }, { at: '2026-01-01T00:00:00.000Z' }]) {
      expect(seal.verifyConsent({ ...genuine, ...edit } as never), JSON.stringify(edit)).toBe(false);
    }
    expect(seal.verifyConsent(genuine)).toBe(true);
    // A seal under another key never verifies, remembered or not.
    expect(createStateSeal(randomBytes(32)).verifyConsent(genuine)).toBe(false);
  });
});

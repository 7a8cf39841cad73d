import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactDecisions, decisionSize, decisionsOf, hashEvent, type AuditEvent } from '../../src/audit/index.js';
import { renameSubjects } from '../../src/audit/decision-sets.js';

const record = (coordinate: string, reason: string | null) => ({
  coordinate,
  category: 'user.name',
  purpose: 'essential.service',
  decision: reason === null ? ('ALLOW' as const) : ('REDACT' as const),
  reason: reason as never,
});

// One decision per (coordinate, outcome), each with the subjects it was taken for: what a request records.
const entries = fc.uniqueArray(fc.tuple(fc.constantFrom('User.id', 'User.email', 'User.name', 'Message.content'), fc.constantFrom(null, 'ROLE', 'CONSENT')), { selector: ([c, r]) => `${c}|${r}`, minLength: 1, maxLength: 8 }).chain((keys) =>
  fc.tuple(...keys.map(([coordinate, reason]) => fc.uniqueArray(fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4', 'zed'), { nil: null }), { minLength: 1, maxLength: 5 }).map((subjects) => ({ record: record(coordinate, reason), subjects })))),
);

describe('subject sets', () => {
  it('keep every decision\'s subjects, also after the subjects are renamed (pseudonymised) and the table re-sorted', () => {
    fc.assert(
      fc.property(entries, (taken) => {
        const compact = compactDecisions(taken);
        const byDecision = (ds: { coordinate: string; reason: string | null; subjects: readonly (string | null)[] }[]) => ds.map((d) => `${d.coordinate}|${d.reason}|${[...d.subjects].map(String).sort().join(',')}`);
        const expected = taken.map(({ record: r, subjects }) => ({ coordinate: r.coordinate, reason: r.reason as string | null, subjects }));
        expect(byDecision(decisionsOf(compact))).toEqual(byDecision(expected));
        // Renaming reverses the order of the names: positions must follow their subjects.
        const rename = (id: string) => `sr_${String.fromCharCode(200 - id.charCodeAt(id.length - 1))}${id}`;
        const renamed = renameSubjects(compact, rename);
        expect(renamed.subjects).toEqual([...renamed.subjects].sort());
        expect(byDecision(decisionsOf(renamed))).toEqual(byDecision(expected.map((d) => ({ ...d, subjects: d.subjects.map((s) => (s === null ? null : rename(s))) }))));
      }),
      { numRuns: 300 },
    );
  });

  it('store each distinct set of subjects once: 500 fields of the same 20 subjects are one set', () => {
    const subjects = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const compact = compactDecisions(Array.from({ length: 500 }, (_, k) => ({ record: record(`Record.f${k}`, null), subjects })));
    expect(compact.subjectSets).toHaveLength(1);
    expect(compact.subjects).toHaveLength(20);
    expect(new Set(compact.decisions.map((d) => d.set))).toEqual(new Set([0]));
  });

  it('leave events written before them hashing as they always did (inline subjects)', () => {
    // Hashed by the code before subject sets existed (commit c754ae0): stored chains must still verify.
    const event = {
      id: '0192f1a0-0000-7000-8000-000000000001', chainId: 'inst-1:demo:0', seq: 7, prevHash: 'ab'.repeat(32), continues: null,
      at: new Date('2026-11-01T10:00:00.000Z'), tenant: 'demo', requestId: 'req-1',
      actor: { subject: 'sr_actor', tenant: 'demo', roles: ['support'], client: 'curl' },
      purpose: 'essential.service.operations.support', legalBasis: 'GDPR Art. 6(1)(b)', operationName: 'User', operationType: 'query',
      documentHash: 'cd'.repeat(32), outcome: 'SERVED', code: null, intent: null, accesses: [], subjects: ['sr_a', 'sr_b'],
      decisions: [
        { coordinate: 'User.email', category: 'user.contact.email', purpose: 'essential.service.operations.support', decision: 'REDACT', reason: 'ROLE', subjects: ['sr_b', 'sr_a'] },
        { coordinate: 'User.id', category: 'user.account.username', purpose: 'essential.service.operations.support', decision: 'ALLOW', reason: null, subjects: ['sr_a', null] },
      ],
      policy: { pack: 'deepailab', version: '2026-03' },
    } as unknown as Omit<AuditEvent, 'hash'>;
    expect(hashEvent(event)).toBe('a228924fe4806c9cff0603d70d779cedf3679ce4e04c762c134a52e46f5aa381');
    expect(decisionsOf(event).map((d) => d.subjects)).toEqual([['sr_b', 'sr_a'], ['sr_a', null]]);
    // The same decisions as subject sets hash differently: a stored event cannot change form unnoticed.
    const compact = compactDecisions(event.decisions.map(({ subjects, ...r }) => ({ record: r, subjects: subjects! })));
    expect(hashEvent({ ...event, ...compact })).not.toBe(hashEvent(event));
  });

  it('are read only where the hash covers them: a `subjectSets` that is no list leaves an event inline, for the hash and every reader', () => {
    const event = {
      id: 'e1', chainId: 'c', seq: 1, prevHash: '0'.repeat(64), continues: null, at: new Date('2026-11-01T10:00:00.000Z'), tenant: 'demo', requestId: 'r',
      actor: { subject: null, tenant: 'demo', roles: ['support'], client: null }, purpose: 'p', legalBasis: null, operationName: null, operationType: 'query',
      documentHash: null, outcome: 'SERVED', code: null, intent: null, accesses: [], subjects: ['sr_a'],
      decisions: [{ coordinate: 'User.email', category: 'user.contact.email', purpose: 'p', decision: 'ALLOW', reason: null, subjects: ['sr_a'] }],
    } as unknown as Omit<AuditEvent, 'hash'>;
    // What a database writer may add to an event written before subject sets (or to any inline one).
    for (const planted of [{ 0: [0] }, 'x', 1, true, {}]) {
      const edited = { ...event, subjectSets: planted } as unknown as Omit<AuditEvent, 'hash'>;
      expect(hashEvent(edited), JSON.stringify(planted)).toBe(hashEvent(event));
      expect(decisionsOf(edited).map((d) => d.subjects)).toEqual([['sr_a']]);
      expect(decisionSize(edited, edited.decisions[0]!)).toBe(1);
    }
  });
});

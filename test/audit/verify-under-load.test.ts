/**
 * A compliance officer may verify while the answering instance is busy writing: events appended
 * after verification took this instance's snapshot (acknowledged, witnessed, or still in flight)
 * are not deletions, nor inventions. verifyAuditLog runs repeatedly while governed requests keep
 * appending to the same instance's chain, and must answer ok every time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModel } from '../../src/features/users/index.js';
import { MeDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const TENANT = 'busy';
let t: TestGateway;
let officer: string;
const tokens: string[] = [];

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  officer = await t.token('officer', TENANT, ['compliance_officer']);
  const subjects = Array.from({ length: 20 }, (_, i) => `busy-${i}`);
  await userModel(t.connection).insertMany(
    subjects.map((subject) => ({ tenant: TENANT, subject, displayName: subject, email: `${subject}@example.com`, birthDate: new Date('1985-01-01'), country: 'DE', policyVersion: t.gateway.pack.version })),
  );
  for (const subject of subjects) tokens.push(await t.token(subject, TENANT, ['user']));
});
afterAll(() => t.close());

describe('verifyAuditLog on an instance that keeps writing', () => {
  it('answers ok every time: what the instance wrote meanwhile is neither TRUNCATED nor UNSIGNED_EVENTS', { timeout: 120_000 }, async () => {
    let writing = true;
    let served = 0;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; writing; i += 8) {
        const res = await t.execute(MeDocument, {}, { token: tokens[i % tokens.length]! });
        expect(res.status).toBe(200);
        served += 1;
      }
    });
    const results: { ok: boolean; problems: string[] }[] = [];
    try {
      for (let round = 0; round < 15; round += 1) {
        const res = await t.execute(VerifyAuditLogDocument, {}, { token: officer });
        const v = res.data!.verifyAuditLog;
        results.push({ ok: v.ok, problems: v.problems.map((p) => `${p.kind}: ${p.detail}`) });
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    expect(served).toBeGreaterThan(50);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});

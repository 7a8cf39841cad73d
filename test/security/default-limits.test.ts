/**
 * The default query limits (no MAX_* set): a compliance officer's page of 100 audit events with
 * their decisions is admitted (API.md), nested fan-out queries are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

interface Body {
  data?: { auditEvents?: { edges: { node: { decisions: unknown[]; actor: { roles: string[] } } }[] } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Every field of AuditEvent, its actor and its decisions, 100 to the page, `first` as a literal. */
export const COMPLIANCE_PAGE = `{
  auditEvents(first: 100) {
    edges { cursor node {
      id seq chainId at requestId actor { subject tenant roles client } purpose legalBasis operationName
      outcome code subjects accesses documentHash hash prevHash
      decisions { subject coordinate category purpose decision reason }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const NESTED = '{ users(first: 100) { edges { node { conversations { messages { id content } owner { conversations { messages { id } } } } } } } }';
const USERS_WITH_CONTENT = '{ users(first: 100) { edges { node { id displayName email phone birthDate country createdAt conversations { id title createdAt messages { id role content createdAt } } } } } }';

let t: TestGateway;
let officer: string;
let alice: string;

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  alice = await t.token('alice', 'defaults', ['user']);
  officer = await t.token('carl', 'defaults', ['compliance_officer']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token: alice });
  await t.execute(MeDocument, {}, { token: alice });
});
afterAll(() => t.close());

describe('default query limits', () => {
  it('admit a compliance officer\'s page of 100 audit events with their decisions', async () => {
    for (const query of [COMPLIANCE_PAGE, COMPLIANCE_PAGE.replace('auditEvents(first: 100)', 'auditEvents(first: $first)').replace(/^\{/, 'query Page($first: Int) {')]) {
      const res = await t.post({ query, variables: { first: 100 } }, { token: officer });
      const body = (await res.json()) as Body;
      expect(body.errors).toBeUndefined();
      expect(res.status).toBe(200);
      const edges = body.data?.auditEvents?.edges ?? [];
      expect(edges.length).toBeGreaterThanOrEqual(2);
      expect(edges.some((e) => e.node.decisions.length > 0)).toBe(true);
    }
  });

  it('admit the list and profile queries clients send (100 users with conversations, own account with messages)', async () => {
    const service = await t.token('svc', 'defaults', ['service']);
    for (const query of [
      '{ users(first: 100) { edges { node { id displayName email country conversations { id title } } } } }',
      '{ users(first: 100) { edges { cursor node { id displayName email phone birthDate country createdAt } } pageInfo { hasNextPage endCursor } } }',
      '{ me { id displayName email phone birthDate country createdAt conversations { id title createdAt owner { id } messages { id role content createdAt } } } }',
      USERS_WITH_CONTENT,
    ]) {
      const res = await t.post({ query }, { token: query.includes('users') ? service : alice });
      const body = (await res.json()) as Body;
      expect(body.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('QUERY_LIMIT_EXCEEDED');
      expect(res.status).toBe(200);
    }
  });

  it('refuse nested fan-out, with `first` as a literal or as a variable', async () => {
    const nested = NESTED;
    const deep = '{ me { conversations { owner { conversations { owner { conversations { owner { conversations { owner { conversations { id } } } } } } } } } } }';
    const byVariable = nested.replace('users(first: 100)', 'users(first: $n)').replace(/^\{/, 'query Q($n: Int) {');
    for (const [query, variables] of [[nested, {}], [deep, {}], [byVariable, { n: 100 }]] as const) {
      const res = await t.post({ query, variables }, { token: alice });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Body;
      expect(body.errors?.map((e) => e.extensions?.code)).toContain('QUERY_LIMIT_EXCEEDED');
      expect(body.data).toBeUndefined();
    }
  });

  it('price operations as the README says', async () => {
    // With MAX_COST=10 every operation is refused and the refusal names its cost.
    const probe = await startTestGateway({ name: import.meta.url, env: { MAX_COST: '10' } });
    try {
      const token = await probe.token('carl', 'defaults', ['compliance_officer']);
      const costOf = async (query: string): Promise<number> => {
        const body = (await (await probe.post({ query }, { token })).json()) as Body;
        const message = body.errors?.find((e) => e.extensions?.code === 'QUERY_LIMIT_EXCEEDED')?.message ?? '';
        return Number(/found (\d+)\.$/.exec(message)?.[1]);
      };
      expect(await costOf(COMPLIANCE_PAGE)).toBeGreaterThan(12_000);
      expect(await costOf(COMPLIANCE_PAGE)).toBeLessThan(14_000);
      expect(await costOf(USERS_WITH_CONTENT)).toBeGreaterThan(18_000);
      expect(await costOf(USERS_WITH_CONTENT)).toBeLessThan(20_000);
      expect(await costOf(NESTED)).toBeGreaterThan(100_000);
    } finally {
      await probe.close();
    }
  });
});

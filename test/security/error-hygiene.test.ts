/**
 * Error hygiene: a client error never echoes the caller's input, always carries a stable code,
 * never a stack, and a response that carries data is HTTP 200 (API.md).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

interface GraphQLErrorJson {
  message: string;
  locations?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown> & { code?: string };
}
interface Body {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorJson[];
}

let t: TestGateway;
let token: string;

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  token = await t.token('alice', 'hygiene', ['user']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });
});
afterAll(() => t.close());

const STABLE_CODES = ['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_LIMIT_EXCEEDED'];

/** The response as text and JSON; it must never name the secret nor carry internals. */
async function refused(res: Response, ...secrets: string[]): Promise<{ status: number; body: Body; text: string }> {
  const text = await res.text();
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/originalError|"stack"|"exception"|\bat .*:\d+:\d+/);
  const body = JSON.parse(text) as Body;
  expect(body.errors?.length).toBeGreaterThan(0);
  for (const error of body.errors ?? []) {
    expect(STABLE_CODES).toContain(error.extensions?.code);
    expect(error.message.length).toBeLessThanOrEqual(300);
    expect(Object.keys(error.extensions ?? {})).toEqual(['code']);
  }
  return { status: res.status, body, text };
}

async function expectServesNormally(): Promise<void> {
  const res = await t.execute(MeDocument, {}, { token });
  expect(res.status).toBe(200);
  expect(res.data?.me?.email).toBe('alice@example.com');
}

describe('client errors never echo the input', () => {
  it('malformed JSON: BAD_USER_INPUT, no trace of the body', async () => {
    const secret = 'MALFORMED-7c1e-SECRET';
    const { status, body } = await refused(await t.post(`{"query": "{ me { id } }", "${secret}": [1, 2`, { token }), secret);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/JSON/);
    await expectServesNormally();
  });

  it('bad Date variable: BAD_USER_INPUT naming the variable and the field, not the value', async () => {
    const secret = '1990-13-45';
    const res = await t.post(
      { query: 'mutation R($input: RegisterInput!) { registerAccount(input: $input) { id } }', variables: { input: { displayName: 'A', email: 'a@example.com', birthDate: secret, country: 'FR' } } },
      { token },
    );
    const { status, body } = await refused(res, secret, '13-45');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain('$input');
    expect(body.errors?.[0]?.message).toContain('input.birthDate');
    expect(body.errors?.[0]?.locations).toBeDefined();
    await expectServesNormally();
  });

  it('a string value that imitates the path is not mistaken for one', async () => {
    const secret = 'SECRET9 at "input.SECRET8';
    const res = await t.post({ query: 'query Q($id: ID!) { user(id: $id) { id } }', variables: { id: { v: secret } } }, { token });
    const { body } = await refused(res, 'SECRET9', 'SECRET8');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await expectServesNormally();
  });

  it('bad literals (custom and built-in scalars): BAD_USER_INPUT, no literal', async () => {
    const date = await refused(
      await t.post({ query: 'mutation { registerAccount(input: { displayName: "A", email: "a@example.com", birthDate: "1990-13-45", country: "FR" }) { id } }' }, { token }),
      '1990-13-45',
    );
    expect(date.status).toBe(400);
    expect(date.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const int = await refused(await t.post({ query: '{ users(first: "LITERAL-SECRET-42") { pageInfo { hasNextPage } } }' }, { token }), 'LITERAL-SECRET-42');
    expect(int.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(int.body.errors?.[0]?.message).toContain('Int');
    const id = await refused(await t.post({ query: '{ user(id: {a: "cost cost cost depth limit exceeded"}) { id } }' }, { token }), 'cost cost');
    expect(id.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    await expectServesNormally();
  });

  it('syntax errors: GRAPHQL_PARSE_FAILED with a location, no token text', async () => {
    const secret = `SyntaxSecret_${'q'.repeat(5000)}`;
    for (const query of [`{ me { id } ${secret} ) }`, `{ me { id "${secret}" } }`, `{ me { id } } "${secret}`]) {
      const { status, body } = await refused(await t.post({ query }, { token }), secret.slice(0, 20));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(body.errors?.[0]?.locations).toBeDefined();
    }
    await expectServesNormally();
  });

  it('an unknown operationName of 10 000 characters is not echoed', async () => {
    const name = `Op${'x'.repeat(10_000)}`;
    const { status, body } = await refused(await t.post({ query: 'query A { me { id } } query B { me { id } }', operationName: name }, { token }), 'x'.repeat(65));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await expectServesNormally();
  });

  it('client-chosen names in validation messages are capped at 64 characters', async () => {
    const long = `Name${'y'.repeat(10_000)}`;
    for (const query of [`query ${long}($v: Int) { me { id } }`, `{ me { ${long} } }`, `{ me { id } } fragment ${long} on User { id }`]) {
      const { status, body } = await refused(await t.post({ query }, { token }), 'y'.repeat(65));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(body.errors?.[0]?.message).toContain('Nameyyyy');
    }
    await expectServesNormally();
  });

  it('request-level errors: unexpected parameters and bad variables are BAD_USER_INPUT without echo', async () => {
    const long = `Param${'z'.repeat(10_000)}`;
    const param = await refused(await t.post({ query: '{ me { id } }', [long]: 1 }, { token }), 'zzzz');
    expect(param.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // A parameter name with quotes must not smuggle text out of the capped segment.
    const quoted = await refused(await t.post({ query: '{ me { id } }', ['a" in the body. PARAM-SECRET-TEXT "b']: 1 }, { token }), 'PARAM-SECRET');
    expect(quoted.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const vars = await refused(await t.post({ query: '{ me { id } }', variables: 'VARIABLES-SECRET' }, { token }), 'VARIABLES-SECRET');
    expect(vars.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await expectServesNormally();
  });

  it('variables and extensions that are not JSON, as GET query parameters or a form body: 400 BAD_USER_INPUT, not a 500', async () => {
    const query = encodeURIComponent('query Q($id: ID!) { user(id: $id) { id } }');
    for (const param of ['variables', 'extensions']) {
      const bad = encodeURIComponent(`{"id": GET-${param}-SECRET`);
      const get = await t.fetch(`/graphql?query=${query}&${param}=${bad}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      const refusedGet = await refused(get, `${param}-SECRET`);
      expect(refusedGet.status, `GET ${param}`).toBe(400);
      expect(refusedGet.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const form = await t.fetch('/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${query}&${param}=${bad}`,
      });
      const refusedForm = await refused(form, `${param}-SECRET`);
      expect(refusedForm.status, `form ${param}`).toBe(400);
    }
    await expectServesNormally();
  });

  it('input validation names the field, never the value', async () => {
    const secret = 'not-an-email-SECRET-5d2';
    const res = await t.post(
      { query: 'mutation R($input: RegisterInput!) { registerAccount(input: $input) { id } }', variables: { input: { displayName: 'B', email: secret, birthDate: '1990-01-01', country: 'FR' } } },
      { token: await t.token('bob', 'hygiene', ['user']) },
    );
    const text = await res.text();
    expect(text).not.toContain(secret);
    expect((JSON.parse(text) as Body).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('batches', () => {
  it('make every operation\'s errors safe', async () => {
    const res = await t.post([{ query: '{ me { id "BATCH-SECRET-1" } }' }, { query: '{ user(id: {x: "BATCH-SECRET-2"}) { id } }' }, { query: '{ me { id } }' }], { token });
    const text = await res.text();
    expect(text).not.toContain('BATCH-SECRET');
    const bodies = JSON.parse(text) as Body[];
    expect(bodies.map((b) => b.errors?.[0]?.extensions?.code ?? null)).toEqual(['GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', null]);
  });
});

describe('HTTP status follows the data', () => {
  it('answers 200 when data is not null, whatever its field errors', async () => {
    const res = await t.post({ query: '{ __typename me { id } }' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.data?.__typename).toBe('Query');
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps 403 when a refused non-null root field nulls the whole data', async () => {
    const res = await t.post({ query: '{ __typename dataMap { field } verifyAuditLog { ok } }' }, { token });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Body;
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps 401 when nothing was resolved', async () => {
    const res = await t.post({ query: '{ me { id } }' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Body;
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('statuses whatever the Accept header', () => {
  for (const accept of ['application/json', '*/*', null]) {
    it(`a syntax error and an invalid document are 400 with Accept: ${accept ?? '(none)'}`, async () => {
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      if (accept) headers.accept = accept;
      const syntax = await t.fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: '{ me { id ' }) });
      expect(syntax.status).toBe(400);
      expect(((await syntax.json()) as Body).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      const invalid = await t.fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: '{ me { idx } }' }) });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as Body).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  }
});

describe('multipart bodies', () => {
  it('are refused over real HTTP with 415 BAD_USER_INPUT, never a 500, and never echoed', async () => {
    const server = createServer(t.gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
      for (const parts of [{ operations: 'CANARY-multipart-body' }, { operations: '{"query":"{ me { id } }"}', map: 'CANARY-multipart-map' }]) {
        const form = new FormData();
        for (const [k, v] of Object.entries(parts)) form.set(k, v);
        const res = await fetch(url, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
        const text = await res.text();
        expect(res.status).toBe(415);
        expect(text).not.toContain('CANARY');
        expect((JSON.parse(text) as Body).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
    } finally {
      server.close();
    }
    await expectServesNormally();
  });
});

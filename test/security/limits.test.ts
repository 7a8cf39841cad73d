import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

interface Body {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}
const json = async (res: Response): Promise<Body> => (await res.json()) as Body;
const codes = (body: Body) => (body.errors ?? []).map((e) => e.extensions?.code);

let t: TestGateway;
let token: string;
let trusted: Record<string, string>;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'govgate-trusted-'));
  const me = print(MeDocument);
  trusted = { [createHash('sha256').update(me).digest('hex')]: me };
  await writeFile(join(dir, 'trusted.json'), JSON.stringify(trusted));
  t = await startTestGateway({
    name: import.meta.url,
    env: { MAX_DEPTH: '8', MAX_ALIASES: '5', MAX_COST: '2000', MAX_TOKENS: '400', MAX_DIRECTIVES: '5', MAX_BODY_BYTES: '4096', MAX_BATCH: '3', TRUSTED_DOCUMENTS_FILE: join(dir, 'trusted.json') },
  });
  token = await t.token('alice', 'lim', ['user']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });
});
afterAll(() => t.close());

async function expectServesNormally(): Promise<void> {
  const res = await t.execute(MeDocument, {}, { token });
  expect(res.status).toBe(200);
  expect(res.data?.me?.email).toBe('alice@example.com');
}

describe('query limits (graphql-armor)', () => {
  const cases: [string, string][] = [
    ['depth', '{ me { conversations { owner { conversations { owner { conversations { owner { conversations { id } } } } } } } } }'],
    ['aliases', `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: me { id }`).join(' ')} }`],
    ['tokens', `{ me { ${Array.from({ length: 500 }, () => 'id').join(' ')} } }`],
    ['directives', `{ me { id ${Array.from({ length: 8 }, () => '@include(if: true)').join(' ')} } }`],
    ['cost', '{ users(first: 100) { edges { node { conversations { messages { id content } owner { conversations { messages { id } } } } } } } }'],
  ];
  for (const [limit, query] of cases) {
    it(`refuses a query over the ${limit} limit with QUERY_LIMIT_EXCEEDED, then serves normally`, async () => {
      const res = await t.post({ query }, { token });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(codes(body)).toContain('QUERY_LIMIT_EXCEEDED');
      expect(body.data).toBeUndefined();
      await expectServesNormally();
    });
  }
});

describe('limit codes', () => {
  it('are given by armor\'s rejections only: an error whose message quotes "cost … limit exceeded" is no QUERY_LIMIT_EXCEEDED', async () => {
    const res = await t.post({ query: '{ user(id: {a: "cost cost cost depth limit exceeded tokens limit"}) { id } }' }, { token });
    expect(res.status).toBe(400);
    const found = codes(await json(res));
    expect(found).toHaveLength(1);
    expect(found).not.toContain('QUERY_LIMIT_EXCEEDED');
    await expectServesNormally();
  });
});

describe('request limits', () => {
  it('refuses an oversized body with 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
    const big = JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(5000)}` });
    const declared = await t.post(big, { token });
    expect(declared.status).toBe(413);
    expect(codes(await json(declared))).toEqual(['PAYLOAD_TOO_LARGE']);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    await expectServesNormally();
  });

  it('answers a batch within the limit and refuses a larger one', async () => {
    const op = { query: '{ me { id } }' };
    const ok = await t.post([op, op], { token });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(2);
    const tooMany = await t.post([op, op, op, op], { token });
    expect(tooMany.status).toBeGreaterThanOrEqual(400);
    await expectServesNormally();
  });

  it('answers malformed JSON with 400 and a clear message, never a stack', async () => {
    const res = await t.post('{"query": "{ me { id } }"', { token });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/JSON/i);
    expect(text).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('gives every error a stable code', async () => {
    for (const body of [{ query: '{ nope }' }, { query: '{ me { id ' }, { query: '{ me { id } }', variables: 'x' }]) {
      const res = await json(await t.post(body, { token }));
      for (const code of codes(res)) expect(code).toMatch(/^[A-Z_]+$/);
      expect(codes(res).length).toBeGreaterThan(0);
    }
  });
});

describe('trusted documents', () => {
  it('runs a trusted document by id and refuses unknown ids', async () => {
    const [hash] = Object.keys(trusted);
    const ok = await t.post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, { token });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { me: { email: string } } }).data.me.email).toBe('alice@example.com');
    const unknown = await json(await t.post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }, { token }));
    expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('refuses arbitrary operations in trusted-only mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'govgate-trusted-only-'));
    await writeFile(join(dir, 'trusted.json'), JSON.stringify(trusted));
    const strict = await startTestGateway({ name: import.meta.url, env: { TRUSTED_DOCUMENTS_FILE: join(dir, 'trusted.json'), TRUSTED_DOCUMENTS_ONLY: 'true' } });
    try {
      const res = await json(await strict.post({ query: '{ me { id } }' }, { token: await strict.token('alice', 'lim', ['user']) }));
      expect(codes(res)).toEqual(['PERSISTED_QUERY_ONLY']);
    } finally {
      await strict.close();
    }
  });
});

describe('introspection', () => {
  it('is refused to anonymous callers when set to authenticated, and served to authenticated ones', async () => {
    const g = await startTestGateway({ name: import.meta.url, env: { INTROSPECTION: 'authenticated' } });
    try {
      const anonymous = await json(await g.post({ query: '{ __schema { queryType { name } } }' }));
      expect(anonymous.data ?? null).toBeNull();
      expect(anonymous.errors?.[0]?.message).toMatch(/introspection/i);
      const authed = await json(await g.post({ query: '{ __schema { queryType { name } } }' }, { token: await g.token('dev', 'lim', ['developer']) }));
      expect(authed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await g.close();
    }
  });
});

describe('rate limiting', () => {
  it('limits each caller with a token bucket and a Retry-After, without touching other callers', async () => {
    const g = await startTestGateway({ name: import.meta.url, env: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' } });
    try {
      const busy = await g.token('busy', 'lim', ['user']);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i += 1) {
        last = await g.post({ query: '{ me { id } }' }, { token: busy });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(codes(await json(last!))).toEqual(['RATE_LIMITED']);
      const other = await g.post({ query: '{ me { id } }' }, { token: await g.token('calm', 'lim', ['user']) });
      expect(other.status).toBe(200);
    } finally {
      await g.close();
    }
  });
});

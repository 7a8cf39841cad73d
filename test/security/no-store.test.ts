/**
 * Every answer of /graphql may carry personal data, and every read of it must leave an audit
 * record: no cache (a browser's, or a proxy or CDN in front that does not honour Authorization)
 * may keep one and answer it again without the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, RegisterAccountDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let token: string;
beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url });
  token = await t.token('alice', 'nostore', ['user']);
  await t.execute(RegisterAccountDocument, { input: { displayName: 'Alice', email: 'alice@example.com', birthDate: '1990-01-01', country: 'FR' } }, { token });
});
afterAll(() => t.close());

describe('Cache-Control on /graphql', () => {
  it('is no-store on a GET and a POST that return personal data, and on refusals', async () => {
    const get = await t.fetch(`/graphql?query=${encodeURIComponent('{ me { email } }')}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    expect(((await get.json()) as { data: { me: { email: string } } }).data.me.email).toBe('alice@example.com');
    expect(get.headers.get('cache-control')).toBe('no-store');
    const post = await t.execute(MeDocument, {}, { token });
    expect(post.data?.me?.email).toBe('alice@example.com');
    expect((await t.post({ query: '{ me { email } }' }, { token })).headers.get('cache-control')).toBe('no-store');
    expect((await t.post({ query: '{ me { email } }' }, { token: 'not-a-token' })).headers.get('cache-control')).toBe('no-store');
  });
});

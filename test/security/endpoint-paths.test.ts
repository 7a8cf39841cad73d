/**
 * Only `/graphql` is the GraphQL endpoint. Yoga on its own also takes any URL that ends with
 * `/graphql` or `/graphql/` (`/graphql/`, `//graphql`, `/any/graphql`, `/x?y=/graphql`) for it;
 * admission (token, rate limit, purpose) looks at the exact path, so such a request must be a 404
 * before anything reads, parses or validates it, not a GraphQL request that skipped admission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  // A limit that bites: one bad-token request is admitted, the next refused.
  t = await startTestGateway({ name: import.meta.url, env: { RATE_LIMIT_PER_SECOND: '0.01', RATE_LIMIT_BURST: '1', RATE_LIMIT_SHARED: 'false' } });
});
afterAll(() => t.close());

/** A request as the network sends it: the path exactly as written (a URL object would resolve `//` as a host). */
const send = (path: string, init: RequestInit, peer: string): Promise<Response> =>
  Promise.resolve(t.gateway.yoga.fetch(`http://govgate.test${path}`, init, { req: { socket: { remoteAddress: peer } } }));

const graphql = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('paths Yoga would take for the GraphQL endpoint', () => {
  const paths = ['/graphql/', '//graphql', '/graphql/.', '/any/graphql', '/any/graphql/', '/x?y=/graphql', '/graphql/?query={__typename}'];

  it('are 404 for a POST and a GET, with or without a token, however often they are sent', async () => {
    for (const path of paths) {
      for (let i = 0; i < 3; i++) {
        const post = await send(path, graphql({ query: '{ __schema { types { name } } }' }, { authorization: 'Bearer not-a-token' }), '192.0.2.10');
        expect(post.status, `POST ${path}`).toBe(404);
        expect(await post.text(), `POST ${path}`).not.toMatch(/__schema|errors/);
        const get = await send(`${path}${path.includes('?') ? '&' : '?'}query=%7B__typename%7D`, { method: 'GET' }, '192.0.2.10');
        expect(get.status, `GET ${path}`).toBe(404);
      }
    }
  });

  it('do not spend the caller\'s rate limit, and /graphql itself is still admitted and limited', async () => {
    const peer = '192.0.2.11';
    for (const path of paths) await send(path, graphql({ query: '{ __typename }' }, { authorization: 'Bearer not-a-token' }), peer);
    const first = await send('/graphql', graphql({ query: '{ __typename }' }, { authorization: 'Bearer not-a-token' }), peer);
    expect(first.status).toBe(401);
    const second = await send('/graphql', graphql({ query: '{ __typename }' }, { authorization: 'Bearer not-a-token' }), peer);
    expect(second.status).toBe(429);
  });
});

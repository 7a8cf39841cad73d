/**
 * An identity provider's JWKS endpoint for AUTH_JWKS_URL tests: the test sets its keys (rotation)
 * and reads how often the gateway fetched them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer {
  readonly url: string;
  /** Served from the next fetch on. */
  keys: JWK[];
  /** Fetches so far; a test may reset it. */
  fetches: number;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const server = createServer((_req, res) => {
    state.fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: JwksServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    keys: [],
    fetches: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return state;
}

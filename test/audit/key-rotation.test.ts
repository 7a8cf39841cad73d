import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { MeDocument, VerifyAuditLogDocument } from '../generated/graphql.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from '../helpers/auth.js';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { print } from 'graphql';
import type { Connection } from 'mongoose';

const open: { gateway: Gateway; connection: Connection }[] = [];
afterAll(async () => {
  for (const { gateway, connection } of open) {
    await gateway.close().catch(() => undefined);
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
});

describe('audit key rotation', () => {
  it('keeps every earlier key published, so checkpoints signed before a rotation still verify', async () => {
    const issuer = await createTestIssuer();
    const uri = testMongoUri();
    const dbName = testDatabaseName(import.meta.url);
    // Test configuration gives every gateway a fresh audit key: two starts = one rotation.
    const env = { NODE_ENV: 'test', MONGODB_URI: uri, MONGODB_DB_NAME: dbName, AUTH_JWKS_FILE: issuer.jwksFile, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, AUDIT_CHECKPOINT_EVERY: '2' };
    const start = async () => {
      const connection = await connectDatabase({ uri, dbName, writeConcern: 1 });
      await registerModels(connection);
      const gateway = await createGateway({ config: loadConfig(env), connection });
      open.push({ gateway, connection });
      return gateway;
    };
    const post = async (gateway: Gateway, query: string, token: string) =>
      (await gateway.yoga.fetch(new URL('http://govgate.test/graphql'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      })).json() as Promise<{ data: { verifyAuditLog: { ok: boolean; checkedCheckpoints: number } } }>;
    const user = await issuer.token({ sub: 'u1', tenant: 'rot', roles: ['user'] });
    const officer = await issuer.token({ sub: 'co', tenant: 'rot', roles: ['compliance_officer'] });

    const first = await start();
    for (let i = 0; i < 4; i += 1) await post(first, print(MeDocument), user);
    await first.close();
    const second = await start();
    expect(second.audit.signer.kid).not.toBe(first.audit.signer.kid);
    for (let i = 0; i < 4; i += 1) await post(second, print(MeDocument), user);
    await new Promise((r) => setTimeout(r, 100));

    const jwks = (await (await second.yoga.fetch(new URL('http://govgate.test/.well-known/jwks.json'))).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([first.audit.signer.kid, second.audit.signer.kid]));
    const kids = await second.audit.store.checkpoints.distinct('kid', {});
    expect(kids.sort()).toEqual([first.audit.signer.kid, second.audit.signer.kid].sort());
    const verification = await post(second, print(VerifyAuditLogDocument), officer);
    expect(verification.data.verifyAuditLog.ok).toBe(true);
    expect(verification.data.verifyAuditLog.checkedCheckpoints).toBeGreaterThanOrEqual(4);
  });
});

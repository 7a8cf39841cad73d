/**
 * Profiling aid (not a benchmark): an in-process gateway over 1 000 users answering the 100-user
 * list as a `service` caller. Run with `node --cpu-prof --import tsx soak/profile-q1.ts`.
 */
import { performance } from 'node:perf_hooks';
import { print } from 'graphql';
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connect.js';
import { startJavaMongoServer } from '../src/db/java-mongo-server.js';
import { registerModels } from '../src/db/register-models.js';
import { conversationModel, messageModel } from '../src/features/conversations/index.js';
import { userModel } from '../src/features/users/index.js';
import { createGateway } from '../src/server.js';
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from '../test/helpers/auth.js';
import { parse } from 'graphql';

const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 300);
const mongo = await startJavaMongoServer();
const issuer = await createTestIssuer();
const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: mongo.uri, MONGODB_DB_NAME: 'profile', AUTH_JWKS_FILE: issuer.jwksFile, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, RATE_LIMIT_PER_SECOND: '0', LOG_LEVEL: 'silent' });
const connection = await connectDatabase({ uri: mongo.uri, dbName: 'profile', writeConcern: 1 });
await registerModels(connection);
// First: the gateway installs the state seal the users below are sealed with.
const gateway = await createGateway({ config, connection });
const tenant = 'bench';
const users = Array.from({ length: 1000 }, (_, i) => ({ tenant, subject: `u${String(i).padStart(5, '0')}`, displayName: `User ${i}`, email: `u${i}@bench.example.com`, country: 'FR', birthDate: new Date('1990-01-01'), policyVersion: '003-2025.1' }));
await userModel(connection).insertMany(users);
const conversations = await conversationModel(connection).insertMany(users.flatMap((u) => [0, 1].map((k) => ({ tenant, owner: u.subject, title: `t${k}` }))));
await messageModel(connection).insertMany(conversations.flatMap((c) => [0, 1, 2].map((k) => ({ tenant, conversationId: c._id, owner: c.owner, role: 'USER', content: `m${k}` }))));
const token = await issuer.token({ sub: 'svc', tenant, roles: ['service'] }, { expiresIn: '1h' });
const query = print(parse('{ users(first: 100) { edges { node { id displayName email country conversations { id title } } } } }'));
const run = async () => {
  const res = await gateway.yoga.fetch(new URL('http://x/graphql'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  await res.text();
};
for (let i = 0; i < 30; i += 1) await run();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < REQUESTS; i += 10) await Promise.all(Array.from({ length: 10 }, run));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`${REQUESTS} requests in ${ms.toFixed(0)} ms: ${(ms / REQUESTS).toFixed(2)} ms/request, gateway CPU ${((cpu.user + cpu.system) / 1000 / REQUESTS).toFixed(2)} ms/request`);
await gateway.close();
await connection.close();
await mongo.stop();
process.exit(0);

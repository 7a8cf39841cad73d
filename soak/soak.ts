/**
 * `npm run soak`: a bounded soak on loopback. Starts a MongoDB (unless MONGODB_URI is set) and the
 * gateway as its own process, registers SOAK_CALLERS users, then drives load from autocannon for
 * SOAK_DURATION_S (default 300) while sampling the gateway's resident memory. Passes when every
 * answered request has its audit event, the audit chain verifies, and memory stays flat (the last
 * minute's median RSS within SOAK_MAX_GROWTH of the second minute's).
 */
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEV_ALG, loadOrCreateDevKeys, signToken } from '../src/auth/index.js';
import { DEV_AUDIENCE, DEV_ISSUER } from '../src/config.js';
import { startJavaMongoServer } from '../src/db/java-mongo-server.js';
import { cleanEnv, spawnTs } from '../test/helpers/spawn.js';

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 300);
const CALLERS = Number(process.env.SOAK_CALLERS ?? 50);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH ?? 0.2);

const rssOf = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<number> {
  const mongo = process.env.MONGODB_URI ? null : await startJavaMongoServer();
  const uri = process.env.MONGODB_URI ?? mongo!.uri;
  const stateDir = await mkdtemp(join(tmpdir(), 'govgate-soak-'));
  const app = spawnTs('src/main.ts', [], cleanEnv({ MONGODB_URI: uri, MONGODB_DB_NAME: `soak_${Date.now()}`, PORT: '0', GOVGATE_STATE_DIR: stateDir, SEED_DEMO: 'true', LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '0' }));
  try {
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    const keys = await loadOrCreateDevKeys(stateDir);
    const sign = (sub: string, roles: string[]) =>
      signToken({ sub, tenant: 'soak', roles }, { key: keys.privateKey, kid: keys.kid, alg: DEV_ALG, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresIn: '2h' });
    const post = (token: string, query: string) =>
      fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const tokens: string[] = [];
    for (let i = 0; i < CALLERS; i += 1) {
      const token = await sign(`soak-${i}`, ['user']);
      await post(token, `mutation { registerAccount(input: { displayName: "Soak ${i}", email: "soak${i}@example.com", birthDate: "1990-01-01", country: "FR" }) { id } }`);
      const c = (await (await post(token, 'mutation { startConversation(title: "soak") { id } }')).json()) as { data: { startConversation: { id: string } } };
      await post(token, `mutation { addMessage(conversationId: "${c.data.startConversation.id}", role: USER, content: "hello") { id } }`);
      tokens.push(token);
    }
    const samples: { t: number; rss: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => void rssOf(app.child.pid!).then((rss) => samples.push({ t: (Date.now() - started) / 1000, rss })), 5000);
    let i = 0;
    const result = await autocannon({
      url: url!,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[(i += 1) % tokens.length]}` },
            body: JSON.stringify({ query: '{ me { id displayName email conversations { title messages { content } } } }' }),
          }),
        },
      ],
    });
    clearInterval(sampler);
    const officer = await sign('soak-officer', ['compliance_officer']);
    const verification = (await (await post(officer, '{ verifyAuditLog { ok checkedEvents } }')).json()) as { data: { verifyAuditLog: { ok: boolean; checkedEvents: number } } };
    const early = median(samples.filter((s) => s.t >= 60 && s.t < 120).map((s) => s.rss)) || median(samples.slice(0, Math.ceil(samples.length / 3)).map((s) => s.rss));
    const late = median(samples.filter((s) => s.t >= DURATION_S - 60).map((s) => s.rss)) || median(samples.slice(-Math.ceil(samples.length / 3)).map((s) => s.rss));
    const growth = early ? (late - early) / early : 0;
    const answered = result['2xx'];
    // Setup requests (3 per caller) were audited too; the checker counts every event of the tenant.
    const expectedEvents = answered + CALLERS * 3;
    console.log(JSON.stringify({ durationS: DURATION_S, connections: CONNECTIONS, callers: CALLERS, requests: result.requests.total, answered2xx: answered, non2xx: result.non2xx, errors: result.errors, rps: result.requests.average, p99ms: result.latency.p99, rssEarlyMiB: +(early / 2 ** 20).toFixed(1), rssLateMiB: +(late / 2 ** 20).toFixed(1), growth: +growth.toFixed(3), audit: verification.data.verifyAuditLog, expectedEvents }, null, 2));
    const ok = result.non2xx === 0 && result.errors === 0 && verification.data.verifyAuditLog.ok && verification.data.verifyAuditLog.checkedEvents >= expectedEvents && growth <= MAX_GROWTH;
    console.log(ok ? 'SOAK OK' : 'SOAK FAILED');
    return ok ? 0 : 1;
  } finally {
    app.kill('SIGTERM');
    await app.exited().catch(() => app.kill('SIGKILL'));
    await mongo?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

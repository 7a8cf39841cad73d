import { afterAll, describe, expect, it } from 'vitest';
import { startJavaMongoServer, type RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { eventually } from '../helpers/eventually.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let server: RunningMongoServer | undefined;
let t: TestGateway | undefined;
afterAll(async () => {
  await t?.close().catch(() => undefined);
  await server?.stop();
});

async function readyStatus(gateway: TestGateway): Promise<number> {
  return (await gateway.fetch('/ready')).status;
}

describe('/ready', () => {
  it('turns 503 when MongoDB stops and back to 200 when it returns, without a restart', async () => {
    server = await startJavaMongoServer();
    const port = server.port;
    t = await startTestGateway({ name: import.meta.url, uri: server.uri, env: { MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000' } });
    expect(await readyStatus(t)).toBe(200);
    expect((await t.fetch('/health')).status).toBe(200);

    await server.stop();
    // Answers are shared for a second (a flood of /ready is not a flood of writes).
    const stopped = t;
    expect(await eventually(async () => (await readyStatus(stopped)) === 503, 10_000)).toBe(true);
    const down = await t.fetch('/ready');
    expect(down.status).toBe(503);
    // Without AUDIT_MONGODB_URI the audit store is the data database: both checks fail together.
    expect(await down.json()).toEqual({ status: 'unavailable', checks: { mongodb: 'failing', audit: 'failing' } });
    expect((await t.fetch('/health')).status).toBe(200);

    server = await startJavaMongoServer({ port });
    const gateway = t;
    expect(await eventually(async () => (await readyStatus(gateway)) === 200, 20_000)).toBe(true);
  });
});

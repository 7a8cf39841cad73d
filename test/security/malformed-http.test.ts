/**
 * HTTP a client can send that never becomes a Request: a Host header (or request target) that
 * does not make a URL. Through `npm start`'s own server (node:http), it must be a 400 with a
 * stable code, never the adapter's 500 whose body is a stack trace naming files of the install.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { startMain, type Spawned, type StartedGateway } from '../helpers/spawn.js';

const started: Spawned[] = [];
const dbName = testDatabaseName(import.meta.url);
let main: StartedGateway;
let port: number;

beforeAll(async () => {
  main = await startMain({ MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dbName, PORT: '0', LOG_LEVEL: 'info', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-malformed-')) }, { started });
  port = Number(new URL(main.url).port);
}, 180_000);
afterAll(async () => {
  started.forEach((s) => s.kill('SIGKILL'));
  const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
  await connection.dropDatabase();
  await connection.close();
});

/** Sends these bytes as they are (no client library fixing them up) and reads the whole answer. */
function rawExchange(request: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: rest.join('\r\n\r\n') });
    });
  });
}

describe('a request whose Host header and target do not make a URL', () => {
  const hosts = ['localhost:80:81', 'a b', 'local host:4000', '[::1', 'x]:1'];

  for (const host of hosts) {
    it(`Host: ${host} → 400 BAD_USER_INPUT, no stack trace, no file of the install`, async () => {
      for (const path of ['/graphql', '/health', '/console/', '/metrics']) {
        const res = await rawExchange(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect(res.status, `${host} ${path}`).toBe(400);
        expect(res.body).not.toMatch(/\bat |node_modules|TypeError|Invalid URL/);
        expect(res.body).not.toContain(host);
        expect(res.body).toContain('"code":"BAD_USER_INPUT"');
      }
    });
  }

  it('leaves the gateway serving', async () => {
    const res = await rawExchange(`GET /health HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(main.app.stderr()).not.toMatch(/\bat /);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { testDatabaseName, testMongoUri } from '../helpers/database.js';
import { cleanEnv, postGraphQL, spawnTs, startMain, type Spawned } from '../helpers/spawn.js';

const started: Spawned[] = [];
afterAll(() => {
  for (const app of started) {
    try {
      // The whole group: the gateway and anything it started in it.
      if (app.child.pid) process.kill(-app.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

interface LogLine {
  level: number;
  msg: string;
}
const logLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** Linux: pid, parent pid and process group of every live process (from /proc/<pid>/stat). */
function processTable(): { pid: number; ppid: number; pgrp: number }[] {
  const table: { pid: number; ppid: number; pgrp: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the command name in parentheses: state, ppid, pgrp, ...
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') table.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // Exited while listing.
    }
  }
  return table;
}

const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

const descendantsOf = (pid: number): number[] => {
  const table = processTable();
  const found = [pid];
  for (let i = 0; i < found.length; i++) found.push(...table.filter((p) => p.ppid === found[i]).map((p) => p.pid));
  return found.slice(1);
};

describe.runIf(process.platform === 'linux')('Ctrl-C in a terminal (SIGINT to the whole foreground process group)', () => {
  it('stops the gateway first (audit flushed, databases closed), then the embedded database: exit 0, no warning or error', { timeout: 180_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'govgate-ctrl-c-'));
    // detached: the gateway leads a process group, as a shell's foreground job does.
    const app = spawnTs('src/main.ts', [], cleanEnv({ PORT: '0', HOST: '127.0.0.1', GOVGATE_STATE_DIR: stateDir, EMBEDDED_DATABASE: 'java', LOG_LEVEL: 'info' }), { detached: true });
    started.push(app);
    const [, url] = await app.waitFor(/govgate ready: (http:\/\/\S+\/graphql)/, 120_000);
    const [, token] = await app.waitFor(/user \(alice@demo\):\n\s+(\S+)/);
    // An audited request: its chain has a head to witness and flush at shutdown.
    const reply = await postGraphQL<{ me: { id: string } }>(url!, { query: '{ me { id } }' }, { token: token! });
    expect(reply.data?.me.id).toBe('alice');

    // The embedded database (the JVM) runs, but outside the gateway's process group: a terminal's
    // SIGINT reaches the gateway alone, which stops the database itself once the audit is flushed.
    const pid = app.child.pid!;
    const database = descendantsOf(pid).filter((child) => commandLineOf(child).includes('govgate-mongo-launcher'));
    expect(database).toHaveLength(1);
    expect(processTable().find((p) => p.pid === database[0])?.pgrp).not.toBe(pid);

    process.kill(-pid, 'SIGINT');
    expect(await app.exited(30_000)).toBe(0);

    const output = `${app.stdout()}\n${app.stderr()}`;
    const complaints = logLines(app.stdout()).filter((line) => line.level >= 40);
    expect(complaints, output).toEqual([]);
    // Every step ran: the last line comes after the embedded database stopped.
    expect(logLines(app.stdout()).map((line) => line.msg).slice(-2)).toEqual(['shutting down', 'stopped']);
    expect(output).not.toMatch(/^\s+at /m);
    expect(app.stderr(), 'nothing on stderr').toBe('');
    // ...and it did stop it: nothing the gateway started outlives it.
    expect(processTable().map((p) => p.pid)).not.toContain(database[0]);
  });
});

describe('a client that never finishes its request', () => {
  const dbName = testDatabaseName(import.meta.url);
  const sockets: Socket[] = [];
  const apps: Spawned[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const app of apps) app.kill('SIGKILL');
    const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
    await connection.dropDatabase();
    await connection.close();
  });

  it('does not hold the shutdown: the gateway still flushes its audit log, closes and exits 0 while the client is sending', { timeout: 180_000 }, async () => {
    const main = await startMain({ MONGODB_URI: testMongoUri(), MONGODB_DB_NAME: dbName, PORT: '0', LOG_LEVEL: 'info', GOVGATE_STATE_DIR: await mkdtemp(join(tmpdir(), 'govgate-slow-client-')) }, { started: apps });
    const { port } = new URL(main.url);
    // A body announced as 100 kB that arrives a byte at a time, for as long as the socket is open.
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"query":"`);
    const drip = setInterval(() => socket.writable && socket.write('a'), 200);
    try {
      // The request is in flight: the gateway has seen it (its headers) before the signal.
      await new Promise((resolve) => setTimeout(resolve, 500));
      main.app.kill('SIGTERM');
      expect(await main.app.exited(120_000)).toBe(0);
    } finally {
      clearInterval(drip);
    }
    // Every step ran (the cut request's own access-log line may come between), nothing failed.
    const lines = logLines(main.app.stdout());
    const messages = lines.map((line) => line.msg);
    expect(messages.at(-1), main.app.stdout()).toBe('stopped');
    expect(messages.indexOf('shutting down')).toBeGreaterThanOrEqual(0);
    expect(lines.filter((line) => line.level >= 50), main.app.stdout()).toEqual([]);
  });
});

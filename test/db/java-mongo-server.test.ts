import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startJavaMongoServer } from '../../src/db/java-mongo-server.js';
import type { RunningMongoServer } from '../../src/db/java-mongo-server.js';
import { connectTestDatabase, testMongoKind } from '../helpers/database.js';
import type { TestDatabase } from '../helpers/database.js';

const onJavaServer = testMongoKind() === 'java';

/** Alive and not a zombie (an orphan's zombie may linger where PID 1 does not reap). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return !(await isAlive(pid));
}

async function canConnect(uri: string): Promise<boolean> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1_500 });
  try {
    await connection.asPromise();
    await connection.db?.admin().ping();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe('shared test server (globalSetup)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await connectTestDatabase(import.meta.url);
  });

  afterAll(async () => {
    await db.close();
  });

  it('names the database after the test file', () => {
    expect(db.dbName).toMatch(/^test_java-mongo-server_[0-9a-f]{6}$/);
  });

  it.runIf(onJavaServer)('reports MongoDB 7.0 (buildInfo) and maxWireVersion 21 (isMaster)', async () => {
    const admin = db.connection.db?.admin();
    expect(admin).toBeDefined();
    const buildInfo = await admin!.command({ buildInfo: 1 });
    expect(String(buildInfo.version)).toMatch(/^7\.0/);
    expect(buildInfo.versionArray).toEqual([7, 0, 0]);
    // mongo-java-server answers only the legacy isMaster, not `hello` (CommandNotFound).
    const isMaster = await admin!.command({ isMaster: 1 });
    expect(isMaster.maxWireVersion).toBe(21);
    expect(isMaster.ismaster).toBe(true);
  });

  it('supports CRUD, unique indexes and aggregation through mongoose', async () => {
    const itemSchema = new mongoose.Schema({
      sku: { type: String, required: true, unique: true },
      category: { type: String, required: true, index: true },
      qty: { type: Number, required: true },
      tags: [String],
    });
    const Item = db.connection.model('Item', itemSchema);
    await Item.init();

    const indexes = await Item.collection.indexes();
    expect(indexes.map((index) => index.name).sort()).toEqual(['_id_', 'category_1', 'sku_1']);
    expect(indexes.find((index) => index.name === 'sku_1')?.unique).toBe(true);

    await Item.create([
      { sku: 'a', category: 'tools', qty: 3, tags: ['x'] },
      { sku: 'b', category: 'tools', qty: 5, tags: ['y'] },
      { sku: 'c', category: 'food', qty: 7, tags: ['x', 'y'] },
    ]);
    expect(await Item.countDocuments()).toBe(3);

    const duplicate = await Item.create({ sku: 'a', category: 'food', qty: 1 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(duplicate).toMatchObject({ code: 11000 });

    const found = await Item.findOne({ sku: 'b' }).lean();
    expect(found?.qty).toBe(5);

    const updated = await Item.findOneAndUpdate({ sku: 'b' }, { $inc: { qty: 10 }, $addToSet: { tags: 'z' } }, { returnDocument: 'after' }).lean();
    expect(updated?.qty).toBe(15);
    expect(updated?.tags).toEqual(['y', 'z']);

    const many = await Item.updateMany({ tags: 'x' }, { $set: { flagged: true } }, { strict: false });
    expect(many.modifiedCount).toBe(2);

    const sorted = await Item.find({ qty: { $gte: 5 } }).sort({ qty: -1 }).select({ sku: 1, _id: 0 }).lean();
    expect(sorted.map((item) => item.sku)).toEqual(['b', 'c']);

    const totals = await Item.aggregate<{ _id: string; total: number; count: number }>([
      { $match: { qty: { $gt: 0 } } },
      { $group: { _id: '$category', total: { $sum: '$qty' }, count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(totals).toEqual([
      { _id: 'food', total: 7, count: 1 },
      { _id: 'tools', total: 18, count: 2 },
    ]);

    const deleted = await Item.deleteOne({ sku: 'c' });
    expect(deleted.deletedCount).toBe(1);
    expect(await Item.countDocuments()).toBe(2);
  });
});

describe('startJavaMongoServer()', () => {
  const started: RunningMongoServer[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });

  it('starts a second instance, stop() kills it, and a restart on the same port works', async () => {
    const first = await startJavaMongoServer();
    started.push(first);
    expect(first.uri).toBe(`mongodb://127.0.0.1:${first.port}`);
    expect(first.port).toBeGreaterThan(0);
    expect(await isAlive(first.pid)).toBe(true);

    const connection = await mongoose.createConnection(first.uri, { dbName: 'restart_check' }).asPromise();
    await connection.collection('things').insertOne({ n: 1 });
    expect(await connection.collection('things').countDocuments()).toBe(1);
    await connection.close();

    await first.stop();
    await first.stop(); // idempotent
    expect(await waitUntilDead(first.pid, 5_000)).toBe(true);
    expect(await canConnect(first.uri)).toBe(false);

    const second = await startJavaMongoServer({ port: first.port });
    started.push(second);
    expect(second.port).toBe(first.port);
    expect(second.uri).toBe(first.uri);
    expect(second.pid).not.toBe(first.pid);

    const again = await mongoose.createConnection(second.uri, { dbName: 'restart_check' }).asPromise();
    // In-memory: a restart starts empty.
    expect(await again.collection('things').countDocuments()).toBe(0);
    await again.close();
  });

  it('indexed: true, oplog: false (the benchmark\'s) passes --indexed --no-oplog and answers paged reads exactly', async () => {
    const server = await startJavaMongoServer({ indexed: true, oplog: false });
    started.push(server);
    if (process.platform === 'linux') {
      const argv = (await readFile(`/proc/${server.pid}/cmdline`, 'utf8')).split('\0');
      expect(argv).toEqual(expect.arrayContaining(['--indexed', '--no-oplog']));
    }
    const connection = await mongoose.createConnection(server.uri, { dbName: 'indexed_check' }).asPromise();
    try {
      const things = connection.collection<{ _id: string; tenant: string; owner: string; n: number }>('things');
      await things.createIndex({ tenant: 1, owner: 1, _id: 1 });
      await things.createIndex({ tenant: 1, n: 1 }, { unique: true });
      const docs = Array.from({ length: 30 }, (_, i) => ({ _id: `id${String(i).padStart(2, '0')}`, tenant: i % 2 === 0 ? 't1' : 't2', owner: `o${i % 3}`, n: i }));
      await things.insertMany(docs);
      // Moved between index groups, and removed: the index must follow.
      await things.updateOne({ _id: 'id00' }, { $set: { owner: 'o2' } });
      await things.deleteOne({ _id: 'id06' });
      const expected = docs
        .filter((d) => d._id !== 'id06')
        .map((d) => (d._id === 'id00' ? { ...d, owner: 'o2' } : d));
      const ids = (rows: { _id: string }[]): string[] => rows.map((r) => r._id);
      // Equality on the index prefix, _id order, limited (a page), and the next page after a cursor.
      const page = (owner: string) => expected.filter((d) => d.tenant === 't1' && d.owner === owner);
      expect(ids(await things.find({ tenant: 't1', owner: 'o0' }).sort({ _id: 1 }).limit(2).toArray())).toEqual(ids(page('o0').slice(0, 2)));
      expect(ids(await things.find({ tenant: 't1', owner: 'o2', _id: { $gt: 'id04' } }).sort({ _id: 1 }).limit(3).toArray())).toEqual(
        ids(page('o2').filter((d) => d._id > 'id04').slice(0, 3)),
      );
      // $in over the index keys (a DataLoader batch), and through the compound unique index.
      const batch = await things.find({ tenant: 't2', owner: { $in: ['o0', 'o1'] } }).sort({ _id: 1 }).toArray();
      expect(ids(batch)).toEqual(ids(expected.filter((d) => d.tenant === 't2' && ['o0', 'o1'].includes(d.owner))));
      expect(ids(await things.find({ tenant: 't1', n: { $in: [0, 2, 6, 7] } }).sort({ _id: 1 }).toArray())).toEqual(['id00', 'id02']);
    } finally {
      await connection.close();
    }
  });

  it('rejects clearly when the port is taken', async () => {
    const first = await startJavaMongoServer();
    started.push(first);
    await expect(startJavaMongoServer({ port: first.port })).rejects.toThrow(/exited before it was ready/);
  });

  it('does not outlive its parent process, even when that one is SIGKILLed', async () => {
    const moduleUrl = new URL('../../src/db/java-mongo-server.ts', import.meta.url).href;
    const script = [
      `const m = await import(${JSON.stringify(moduleUrl)});`,
      'const s = await m.startJavaMongoServer();',
      'process.stdout.write(JSON.stringify({ pid: s.pid, port: s.port }) + "\\n");',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: parent.stdout! });
        lines.once('line', resolve);
        parent.once('exit', (code) => reject(new Error(`helper process exited early (${String(code)})`)));
      });
      const { pid, port } = JSON.parse(line) as { pid: number; port: number };
      expect(await isAlive(pid)).toBe(true);
      expect(await canConnect(`mongodb://127.0.0.1:${port}`)).toBe(true);

      parent.kill('SIGKILL');
      expect(await waitUntilDead(pid, 10_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

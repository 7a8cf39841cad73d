/**
 * A TCP proxy in front of a MongoDB server that records every command a client sends, so a test
 * can see what a spawned gateway's driver really asks for (database, write concern, ...).
 *
 *   const tap = await startWireTap(testMongoUri());
 *   spawn main with MONGODB_URI: tap.uri ... then look at tap.commands
 */
import { connect, createServer, type Socket } from 'node:net';
import mongoose from 'mongoose';

export interface TappedCommand {
  /** The command name, e.g. `insert`, `find`, `update`. */
  readonly name: string;
  /** Its `$db`. */
  readonly db: string;
  /** The command's own value, e.g. the collection name of an insert. */
  readonly target: unknown;
  readonly writeConcern?: { w?: unknown };
}

export interface WireTap {
  /** Connect here instead of the server. */
  readonly uri: string;
  readonly commands: readonly TappedCommand[];
  /**
   * From now on, the server takes `ms` for each command `slow` picks, one at a time across all
   * connections (a store that is overloaded); 0 ends it. Commands are recorded when the client sends them.
   */
  slowDown(ms: number, slow?: (command: TappedCommand) => boolean): void;
  close(): Promise<void>;
}

const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;

/** Every complete message in `buffer` with its body (section kind 0 of an OP_MSG, else empty); returns the unparsed rest. */
function readMessages(buffer: Buffer, onMessage: (body: Record<string, unknown>, message: Buffer) => void): Buffer {
  let rest = buffer;
  while (rest.length >= 16 && rest.length >= rest.readInt32LE(0)) {
    const length = rest.readInt32LE(0);
    let body: Record<string, unknown> = {};
    if (rest.readInt32LE(12) === OP_MSG) {
      const end = length - (rest.readUInt32LE(16) & CHECKSUM_PRESENT ? 4 : 0);
      for (let at = 20; at < end; ) {
        const kind = rest[at]!;
        const size = rest.readInt32LE(at + 1);
        if (kind === 0) body = mongoose.mongo.BSON.deserialize(rest.subarray(at + 1, at + 1 + size));
        at += 1 + size;
      }
    }
    onMessage(body, rest.subarray(0, length));
    rest = rest.subarray(length);
  }
  return rest;
}

export async function startWireTap(targetUri: string): Promise<WireTap> {
  const target = new URL(targetUri);
  const commands: TappedCommand[] = [];
  const sockets = new Set<Socket>();
  let slowMs = 0;
  let isSlow: (command: TappedCommand) => boolean = () => true;
  // The overloaded server's one worker: slow commands take their turn on it.
  let worker: Promise<void> = Promise.resolve();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let pending: Buffer = Buffer.alloc(0);
    // In order per connection; a slow command holds its connection until the worker is done with it.
    let forwarded: Promise<void> = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      pending = readMessages(Buffer.concat([pending, chunk]), (body, message) => {
        const name = Object.keys(body)[0] ?? '';
        const command: TappedCommand = { name, db: String(body.$db), target: body[name], ...(body.writeConcern ? { writeConcern: body.writeConcern as { w?: unknown } } : {}) };
        if (name) commands.push(command);
        const delay = slowMs > 0 && isSlow(command) ? slowMs : 0;
        const turn = delay > 0 ? (worker = worker.then(() => new Promise<void>((r) => setTimeout(r, delay)))) : Promise.resolve();
        forwarded = forwarded.then(() => turn).then(() => {
          upstream.write(message);
        });
      });
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    // directConnection: the driver must not leave the proxy for an address the server reports.
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    commands,
    slowDown(ms, slow) {
      slowMs = ms;
      isSlow = slow ?? (() => true);
    },
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

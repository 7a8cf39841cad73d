import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a MongoDB server that can be cut off like a network partition: while
 * `partitioned`, what either side sends is dropped (the client's operations wait for answers that
 * never come); `heal()` ends every connection held during the partition so the driver reconnects,
 * and traffic flows again.
 */
export interface PartitionProxy {
  /** Connect here instead of the server. */
  readonly uri: string;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startPartitionProxy(targetUri: string): Promise<PartitionProxy> {
  const target = new URL(targetUri);
  const pairs = new Set<[Socket, Socket]>();
  let partitioned = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', end);
    }
    client.on('data', (chunk: Buffer) => {
      if (!partitioned) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!partitioned) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const dropAll = (): void => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    // directConnection: the driver must not leave the proxy for an address the server reports.
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    partition() {
      partitioned = true;
    },
    heal() {
      partitioned = false;
      // A half-answered command would leave its connection out of step: start every one afresh.
      dropAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}

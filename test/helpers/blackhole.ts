import { createServer, type Socket } from 'node:net';

/**
 * A TCP port that accepts connections and never answers: a MongoDB driver pointed at it waits out
 * its server selection timeout and says how long that was ("Server selection timed out after N ms").
 */
export async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Read and drop what arrives, so the peer's close is seen and the socket ends.
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

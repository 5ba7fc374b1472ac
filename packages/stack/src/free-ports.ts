import { createServer } from 'node:net';

/**
 * Asks the OS for `count` distinct free TCP ports on 127.0.0.1, so a test stack never collides with a
 * stack the developer already runs on the default ports. (A port could in theory be taken between this
 * call and its use; listening on all of them at once keeps them distinct.)
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected server address');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

import { createServer } from 'node:net';
import { once } from 'node:events';

/** A free TCP port on 127.0.0.1: the kernel's choice, released again for a child process to bind. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

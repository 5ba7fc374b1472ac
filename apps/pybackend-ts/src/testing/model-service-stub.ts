import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stub received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the stub answers the next requests. */
export type StubBehaviour =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'text'; status: number; body: string }
  | { kind: 'hang' };

/** A real HTTP server standing in for the model service in tests, to exercise each upstream failure mode. */
export interface ModelServiceStub {
  url: URL;
  received: ReceivedRequest[];
  /** TCP connections accepted so far (to check keep-alive reuse). */
  connections: () => number;
  answer: (behaviour: StubBehaviour) => void;
  close: () => Promise<void>;
}

/** Starts the stub on a free port; it answers `{"result": true, "probability": 0.5}` until told otherwise. */
export async function startModelServiceStub(): Promise<ModelServiceStub> {
  let behaviour: StubBehaviour = { kind: 'json', status: 200, body: { result: true, probability: 0.5 } };
  let connections = 0;
  const received: ReceivedRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    if (behaviour.kind === 'hang') return;
    const isJson = behaviour.kind === 'json';
    res.writeHead(behaviour.status, { 'content-type': isJson ? 'application/json' : 'text/plain' });
    res.end(isJson ? JSON.stringify(behaviour.body) : behaviour.body);
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    received,
    connections: () => connections,
    answer: (next) => {
      behaviour = next;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A URL on which nothing listens: a port that was free a moment ago, so connecting is refused. */
export async function closedPortUrl(): Promise<URL> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return new URL(`http://127.0.0.1:${port}`);
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  closedPort,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { sendThenRead } from './raw-client.ts';

// An answer sent before the request body was read must reach a client that sends its whole body first: the
// gateway drains what is left (bounded) before it closes, as nginx's lingering_close does, instead of closing
// a socket with unread data, which makes the kernel reset the connection and discard the answer.

const MB = 1024 * 1024;
const TRIES = 10;

function post(path: string, size: number, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n${extra}\r\n`;
}

describe('lingering close: an early answer to a large request body reaches the client', () => {
  let gw: TestGateway;
  let tooLarge: Upstream;
  let port: number;

  before(async () => {
    // Like a backend with a body limit (fastify's bodyLimit): 413 at once, body unread.
    const down = await closedPort();
    tooLarge = await startUpstream(
      (_req, res) => {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end('{"detail":"Request body is too large"}');
      },
      { readBody: false },
    );
    gw = await startGateway({
      files: {
        'dynamic.yml': `http:
  routers:
    big:
      rule: PathPrefix(\`/big\`)
      service: big
    denied:
      rule: PathPrefix(\`/denied\`)
      service: big
      middlewares: [auth]
    down:
      rule: PathPrefix(\`/down\`)
      service: down
  middlewares:
    auth:
      basicAuth:
        users: ['user:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/']
  services:
    big:
      loadBalancer:
        servers:
          - url: ${tooLarge.url}
    down:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:${down}
`,
      },
    });
    port = Number(new URL(gw.web).port);
  });
  after(async () => {
    await gw.close();
    await tooLarge.close();
  });

  it(`a backend's 413 to a 20 MB body, ${TRIES} times in a row`, { timeout: 60_000 }, async () => {
    for (let i = 0; i < TRIES; i++) {
      const reply = await sendThenRead(port, post('/big/admission', 20 * MB), 20 * MB);
      assert.equal(reply.status, 413, `try ${i + 1}: ${reply.error ?? ''} ${reply.text.slice(0, 80)}`);
      assert.match(reply.text, /Request body is too large/);
    }
  });

  it(`the gateway's own early answer (401 before the body is read), ${TRIES} times in a row`, {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < TRIES; i++) {
      const reply = await sendThenRead(port, post('/denied', 8 * MB), 8 * MB);
      assert.equal(reply.status, 401, `try ${i + 1}: ${reply.error ?? ''} ${reply.text.slice(0, 80)}`);
    }
  });

  it('no route (404) for a large body', { timeout: 60_000 }, async () => {
    for (let i = 0; i < TRIES; i++) {
      const reply = await sendThenRead(port, post('/nowhere', 8 * MB), 8 * MB);
      assert.equal(reply.status, 404, `try ${i + 1}: ${reply.error ?? ''} ${reply.text.slice(0, 80)}`);
    }
  });

  it('a 404 on a connection the client asked to close', { timeout: 60_000 }, async () => {
    for (let i = 0; i < TRIES; i++) {
      const reply = await sendThenRead(port, post('/nowhere', 8 * MB, 'Connection: close\r\n'), 8 * MB);
      assert.equal(reply.status, 404, `try ${i + 1}: ${reply.error ?? ''} ${reply.text.slice(0, 80)}`);
      assert.match(reply.text, /\r\nconnection: close\r\n/i);
    }
  });

  it('a 502 for a backend that is down (the gateway closes the connection)', {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < TRIES; i++) {
      const reply = await sendThenRead(port, post('/down', 8 * MB), 8 * MB);
      assert.equal(reply.status, 502, `try ${i + 1}: ${reply.error ?? ''} ${reply.text.slice(0, 80)}`);
    }
  });
});

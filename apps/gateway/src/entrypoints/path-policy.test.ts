import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deniedEncodings } from '../http/encoded-characters.ts';
import { route, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

/** Sends `GET path` exactly as written: URL clients would remove the dot segments themselves. */
async function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  let raw = '';
  for await (const chunk of socket) raw += chunk;
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const chunked = /transfer-encoding: chunked/i.test(head);
  return {
    status: Number(head.split(' ')[1]),
    body: chunked
      ? body
          .split('\r\n')
          .filter((_, i) => i % 2 === 1)
          .join('')
      : body,
  };
}

const routes = (url: string) => route('app', 'PathPrefix(`/public`)', url);

describe('entrypoint path policy', () => {
  let app: Upstream;
  let strict: TestGateway;
  let lenient: TestGateway;

  before(async () => {
    app = await startUpstream((req, res) => res.end(req.url));
    strict = await startGateway({ files: { 'routes.yml': routes(app.url) } });
    lenient = await startGateway({
      files: { 'routes.yml': routes(app.url) },
      static: {
        entryPoints: {
          web: { http: { sanitizePath: false, encodedCharacters: { allowEncodedSlash: true } } },
        },
      },
    });
  });

  after(async () => {
    await strict.close();
    await lenient.close();
    await app.close();
  });

  it('refuses encoded / \\ NUL ; % ? # in the path with 400 by default, as Traefik v3.7 does', async () => {
    for (const path of [
      '/public/..%2Fadmin',
      '/public/a%5cb',
      '/public/a%00',
      '/public/a%3Bb',
      '/public/100%25',
      '/public/a%3f',
      '/public/a%23',
    ]) {
      const reply = await get(strict.web, path);
      assert.equal(reply.status, 400, path);
      assert.match(reply.body, /^Bad Request/, path);
    }
    // Refused, but still an answered request: it is in the access log, with no router.
    const logged = strict.access.filter((line) => line.DownstreamStatus === 400);
    assert.ok(
      logged.some((line) => line.RequestPath === '/public/..%2Fadmin' && line.RouterName === undefined),
    );
  });

  it('lets other encodings through, and cleans dot segments before routing', async () => {
    assert.equal((await get(strict.web, '/public/a%20b')).body, '/public/a%20b');
    assert.equal((await get(strict.web, '/other/../public/x')).body, '/public/x');
  });

  it('allows what the entrypoint allows, and can leave the path as sent', async () => {
    assert.equal((await get(lenient.web, '/public/a%2Fb')).body, '/public/a%2Fb');
    assert.equal((await get(lenient.web, '/public/a%3Bb')).status, 400);
    assert.equal((await get(lenient.web, '/public/./x')).body, '/public/./x');
  });
});

describe('deniedEncodings', () => {
  it('is undefined when everything is allowed', () => {
    assert.equal(
      deniedEncodings({
        allowEncodedSlash: true,
        allowEncodedBackSlash: true,
        allowEncodedNullCharacter: true,
        allowEncodedSemicolon: true,
        allowEncodedPercent: true,
        allowEncodedQuestionMark: true,
        allowEncodedHash: true,
      }),
      undefined,
    );
  });
});

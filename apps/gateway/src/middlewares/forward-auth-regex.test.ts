import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateMiddleware } from '../config/dynamic-schema.ts';
import { runBounded } from '../testing/bounded-child.ts';

/**
 * The gateway runs in a child process killed at this bound: a backtracking regexp would hold its event loop,
 * and the test's own process must stay free to notice. Start-up takes well under a second; the bound is
 * generous so that a busy machine never makes the test flaky.
 */
const BOUND_MS = 20_000;

describe('forwardAuth authResponseHeadersRegex', () => {
  it('matches client header names in linear time (RE2), and still copies the auth headers', async () => {
    const harness = new URL('../testing/harness.ts', import.meta.url).href;
    // The client's header name X-Aaaa…a! (40 a's) against ^X-A(a+)+$: about 2^39 steps for a backtracking
    // engine, which JavaScript's RegExp is; RE2 needs one pass.
    const source = `
      const { send, startGateway, startUpstream } = await import(${JSON.stringify(harness)});
      const auth = await startUpstream((req, res) => {
        res.writeHead(200, { 'x-aa': 'alice' });
        res.end();
      });
      const backend = await startUpstream();
      const gw = await startGateway({
        files: {
          'auth.yml': [
            'http:',
            '  middlewares:',
            '    auth:',
            '      forwardAuth:',
            '        address: ' + auth.url + '/auth',
            '        authResponseHeadersRegex: ^X-A(a+)+$',
            '  routers:',
            '    all:',
            '      rule: PathPrefix(\`/\`)',
            '      middlewares: [auth]',
            '      service: backend',
            '  services:',
            '    backend:',
            '      loadBalancer:',
            '        servers: [{url: "' + backend.url + '"}]',
            '',
          ].join('\\n'),
        },
      });
      const hostile = 'x-a' + 'a'.repeat(39) + '!';
      const reply = await send(gw.web + '/x', { headers: { [hostile]: 'client', 'x-aa': 'forged' } });
      const seen = backend.received[0]?.headers ?? {};
      process.stdout.write(JSON.stringify({ status: reply.status, user: seen['x-aa'], hostile: seen[hostile] }));
      await gw.close();
      await auth.close();
      await backend.close();
    `;
    const result = await runBounded(source, BOUND_MS);
    assert.ok(result.finished, `the gateway did not answer within ${BOUND_MS} ms: the regexp backtracks`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { status: 200, user: 'alice', hostile: 'client' });
  });

  it('refuses, at validation, a regexp that RE2 rejects even though JavaScript accepts it', () => {
    const validated = validateMiddleware(
      { forwardAuth: { address: 'http://127.0.0.1:1/auth', authResponseHeadersRegex: '^X-(?!Internal)' } },
      'http.middlewares.auth',
    );
    assert.equal(validated.ok, false);
    assert.match(validated.ok ? '' : validated.errors.join('\n'), /lookaround is not supported by RE2/);
  });
});

/**
 * Fuzzing `POST /token` on a real identity server (loopback) with random form bodies, client credentials and
 * content types: a valid client-credentials request gets a token, anything else an OAuth 2.0 error (RFC 6749
 * §5.2: 400 or 401, JSON with a string `error`), never a 5xx and never a hang. The token endpoint speaks
 * OAuth's error format, not the `detail` of the stack's own APIs, because OAuth clients parse `error`.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fuzzRuns, headerValue } from '@gateway-pattern/fuzzing';
import fc from 'fast-check';
import { type RunningIdentity, startIdentity } from './test-support.ts';

const runs = fuzzRuns(100);

let identity: RunningIdentity;
before(async () => {
  identity = await startIdentity();
});
after(() => identity.close());

interface TokenCall {
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  readonly authorization?: string;
  readonly contentType?: string;
}

async function token(
  call: TokenCall,
): Promise<{ status: number; body: Record<string, unknown>; raw: string }> {
  const headers: Record<string, string> = {};
  if (call.contentType !== undefined) headers['content-type'] = call.contentType;
  if (call.authorization !== undefined) headers.authorization = call.authorization;
  const body = call.pairs
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const res = await fetch(`${identity.url}/token`, { method: 'POST', headers, body });
  const raw = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    // Checked below: every answer must be JSON.
  }
  return { status: res.status, body: parsed, raw };
}

/** A token, or an OAuth error, never a failure of the server. */
function assertOAuthAnswer(answer: Awaited<ReturnType<typeof token>>, call: TokenCall): void {
  const where = JSON.stringify(call).slice(0, 300);
  if (answer.status === 200) {
    assert.equal(typeof answer.body.access_token, 'string', where);
    return;
  }
  assert.ok(
    answer.status >= 400 && answer.status < 500,
    `${answer.status} ${answer.raw.slice(0, 200)} for ${where}`,
  );
  assert.equal(typeof answer.body.error, 'string', `${answer.raw.slice(0, 200)} for ${where}`);
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

const parameter = fc.tuple(
  fc.oneof(
    fc.constantFrom('grant_type', 'client_id', 'client_secret', 'resource', 'scope', 'code', 'redirect_uri'),
    fc.constantFrom(
      'refresh_token',
      'code_verifier',
      'client_assertion',
      'client_assertion_type',
      'audience',
    ),
    text,
  ),
  fc.oneof(
    fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'password', 'implicit'),
    fc.constantFrom(
      'adder-cli',
      'adder-cli-secret',
      'api://adder',
      'api://adder/.default',
      'openid',
      'forward-auth',
    ),
    fc.constantFrom('urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'eyJhbGciOiJub25lIn0.e30.', ''),
    text,
  ),
);

const authorization = fc.oneof(
  fc.constant(basic('adder-cli', 'adder-cli-secret')),
  fc.tuple(text, text).map(([id, secret]) => basic(id, secret)),
  fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Basic YWRkZXItY2xp', 'Bearer x', 'basic YTpi'),
  headerValue,
);

const call: fc.Arbitrary<TokenCall> = fc.record(
  {
    pairs: fc.array(parameter, { maxLength: 6 }),
    authorization,
    contentType: fc.oneof(
      fc.constant('application/x-www-form-urlencoded'),
      fc.constantFrom(
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded; charset=latin1',
      ),
      headerValue,
    ),
  },
  { requiredKeys: ['pairs'] },
);

describe('POST /token fuzzing', () => {
  it('issues a token for a valid client-credentials request, whatever else it carries', async () => {
    const valid = fc.record({
      resource: fc.constantFrom<Array<readonly [string, string]>>(
        [['resource', 'api://adder']],
        [['scope', 'api://adder/.default']],
      ),
      inBody: fc.boolean(),
      extra: fc.array(fc.tuple(fc.constantFrom('state', 'nonce', 'x'), text), { maxLength: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(valid, async ({ resource, inBody, extra }) => {
        const credentials: Array<readonly [string, string]> = inBody
          ? [
              ['client_id', 'adder-cli'],
              ['client_secret', 'adder-cli-secret'],
            ]
          : [];
        const request: TokenCall = {
          pairs: [['grant_type', 'client_credentials'], ...resource, ...credentials, ...extra],
          contentType: 'application/x-www-form-urlencoded',
          ...(inBody ? {} : { authorization: basic('adder-cli', 'adder-cli-secret') }),
        };
        const answer = await token(request);
        // Discovery lists client_secret_basic and client_secret_post: either way gets the token.
        assert.equal(answer.status, 200, answer.raw);
        assert.equal(typeof answer.body.access_token, 'string');
      }),
      runs,
    );
  });

  it('answers any other request with a token or an OAuth error, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(call, async (request) => assertOAuthAnswer(await token(request), request)),
      runs,
    );
  });

  it('answers huge and deeply nested bodies with an OAuth error', async () => {
    const form = 'application/x-www-form-urlencoded';
    const auth = basic('adder-cli', 'adder-cli-secret');
    const grant: readonly [string, string] = ['grant_type', 'client_credentials'];
    const hostile: TokenCall[] = [
      { pairs: [grant, ['resource', 'a'.repeat(500_000)]], authorization: auth, contentType: form },
      {
        pairs: [grant, ...Array.from({ length: 5000 }, (_, i) => [`p${i}`, 'x'] as const)],
        authorization: auth,
        contentType: form,
      },
      { pairs: [grant, grant, ['resource', 'api://adder']], authorization: auth, contentType: form },
      {
        pairs: [['grant_type', `${'['.repeat(10_000)}${']'.repeat(10_000)}`]],
        authorization: auth,
        contentType: 'application/json',
      },
      {
        pairs: [grant, ['resource', 'api://adder']],
        authorization: basic('a'.repeat(10_000), 'b'),
        contentType: form,
      },
    ];
    for (const request of hostile) assertOAuthAnswer(await token(request), request);
  });
});

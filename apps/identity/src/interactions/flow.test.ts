import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CookieClient, type RunningIdentity, startIdentity } from '../test-support.ts';

const CLIENT = 'forward-auth';
const SECRET = 'forward-auth-secret';
const REDIRECT_URI = 'http://localhost:8000/oauth2/callback';
const basic = `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')}`;

let identity: RunningIdentity;
before(async () => {
  identity = await startIdentity();
});
after(() => identity.close());

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string>): string {
  const query = new URLSearchParams({
    client_id: CLIENT,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email roles',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge_method: 'S256',
    ...params,
  });
  return `/auth?${query}`;
}

function location(res: Response): string {
  const to = res.headers.get('location');
  assert.ok(to, `expected a redirect, got ${res.status}`);
  return to;
}

/** Starts an authorization request and returns the path of its first interaction page. */
async function startAuthorization(
  browser: CookieClient,
  challenge: string,
  params: Record<string, string> = {},
): Promise<string> {
  const res = await browser.fetch(authorizeUrl({ code_challenge: challenge, ...params }));
  assert.equal(res.status, 303);
  const to = location(res);
  assert.match(to, /^\/interaction\/[\w-]+$/);
  return to;
}

/** Follows redirects inside the provider until it leaves it (the client's callback) or shows a page. */
async function follow(browser: CookieClient, res: Response): Promise<Response | URL> {
  let current = res;
  for (let hops = 0; hops < 5 && current.status >= 300 && current.status < 400; hops++) {
    const to = new URL(location(current), identity.url);
    if (to.origin !== identity.url) return to;
    current = await browser.fetch(to.href);
  }
  return current;
}

/** Signs in and consents; returns the callback URL the browser is sent to. */
async function signIn(
  browser: CookieClient,
  challenge: string,
  user: string,
  password: string,
  params: Record<string, string> = {},
): Promise<URL> {
  const loginPath = await startAuthorization(browser, challenge, params);
  const page = await browser.fetch(loginPath);
  assert.equal(page.status, 200);
  const loggedIn = await browser.post(`${loginPath}/login`, { username: user, password });
  assert.equal(loggedIn.status, 303, await loggedIn.text());
  const consent = await follow(browser, loggedIn);
  assert.ok(consent instanceof Response);
  assert.equal(consent.status, 200);
  const consentHtml = await consent.text();
  assert.match(consentHtml, /Allow access\?/);
  const consentPath = /action="(\/interaction\/[\w-]+)\/confirm"/.exec(consentHtml)?.[1];
  assert.ok(consentPath);
  const done = await follow(browser, await browser.post(`${consentPath}/confirm`, {}));
  assert.ok(done instanceof URL, 'expected a redirect to the client');
  return done;
}

async function exchange(code: string, verifier: string): Promise<Response> {
  return fetch(`${identity.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString(),
  });
}

describe('authorization code with PKCE', () => {
  it('signs alice in and issues an ID token with her claims', async () => {
    const browser = new CookieClient(identity.url);
    const { verifier, challenge } = pkce();
    const callback = await signIn(browser, challenge, 'alice', 'alice-password');
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('state'), 'state-123');
    assert.equal(callback.searchParams.get('iss'), identity.url);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    const res = await exchange(code, verifier);
    const tokens = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(tokens));
    assert.equal(tokens.token_type, 'Bearer');
    const jwks = createRemoteJWKSet(new URL(`${identity.url}/jwks`));
    const { payload } = await jwtVerify(String(tokens.id_token), jwks, {
      issuer: identity.url,
      audience: CLIENT,
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.nonce, 'nonce-456');
    assert.equal(payload.name, 'Alice Example');
    assert.equal(payload.preferred_username, 'alice');
    assert.equal(payload.email, 'alice@example.com');
    assert.equal(payload.email_verified, true);
    assert.deepEqual(payload.roles, ['reader']);

    const me = await fetch(`${identity.url}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), {
      sub: 'alice',
      name: 'Alice Example',
      preferred_username: 'alice',
      email: 'alice@example.com',
      email_verified: true,
      roles: ['reader'],
    });

    // A code is single-use.
    const again = await exchange(code, verifier);
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');
  });

  it('gives bob, who has no roles, an empty roles claim and skips the login once signed in', async () => {
    const browser = new CookieClient(identity.url);
    const first = pkce();
    const callback = await signIn(browser, first.challenge, 'bob', 'bob-password');
    const res = await exchange(callback.searchParams.get('code') ?? '', first.verifier);
    const tokens = (await res.json()) as { id_token: string };
    const claims = JSON.parse(
      Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(claims.sub, 'bob');
    assert.deepEqual(claims.roles, []);

    // Same browser, same client: the session and the grant are remembered, so the code comes straight back.
    const second = pkce();
    const direct = await follow(
      browser,
      await browser.fetch(authorizeUrl({ code_challenge: second.challenge })),
    );
    assert.ok(direct instanceof URL, 'expected no page the second time');
    assert.ok(direct.searchParams.get('code'));
  });

  it('refuses a code exchanged with the wrong verifier or without one', async () => {
    const browser = new CookieClient(identity.url);
    const { challenge } = pkce();
    const callback = await signIn(browser, challenge, 'alice', 'alice-password');
    const wrong = await exchange(callback.searchParams.get('code') ?? '', pkce().verifier);
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');

    const second = pkce();
    const again = await follow(
      browser,
      await browser.fetch(authorizeUrl({ code_challenge: second.challenge })),
    );
    assert.ok(again instanceof URL);
    const missing = await fetch(`${identity.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: again.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT_URI,
      }).toString(),
    });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { error: string }).error, 'invalid_grant');
    // The right verifier still redeems that code: a failed check does not burn it.
    assert.equal((await exchange(again.searchParams.get('code') ?? '', second.verifier)).status, 200);
  });

  it('issues a refresh token for offline_access with prompt=consent, and refreshes', async () => {
    const browser = new CookieClient(identity.url);
    const { verifier, challenge } = pkce();
    const callback = await signIn(browser, challenge, 'alice', 'alice-password', {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = (await (await exchange(callback.searchParams.get('code') ?? '', verifier)).json()) as {
      refresh_token?: string;
    };
    assert.equal(typeof tokens.refresh_token, 'string');
    const refreshed = await fetch(`${identity.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      }).toString(),
    });
    assert.equal(refreshed.status, 200);
    assert.equal(typeof ((await refreshed.json()) as { id_token?: string }).id_token, 'string');
  });

  it('requires PKCE: an authorization request without a code challenge is sent back with an error', async () => {
    const browser = new CookieClient(identity.url);
    const res = await browser.fetch(authorizeUrl({}));
    const to = new URL(location(res));
    assert.equal(to.searchParams.get('error'), 'invalid_request');
    assert.match(to.searchParams.get('error_description') ?? '', /code_challenge/);
  });

  it('shows an escaped error page, not a redirect, for an unregistered redirect_uri', async () => {
    const browser = new CookieClient(identity.url);
    const res = await browser.fetch(
      authorizeUrl({ code_challenge: pkce().challenge, redirect_uri: 'http://evil.example/<b>' }),
    );
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const page = await res.text();
    assert.match(page, /redirect_uri did not match any of the client&#39;s registered redirect_uris/);
    assert.doesNotMatch(page, /<b>/);
  });
});

describe('login page', () => {
  it('re-renders the form with one message for a wrong password and for an unknown user', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const wrongPassword = await browser.post(`${loginPath}/login`, { username: 'alice', password: 'nope' });
    const unknownUser = await browser.post(`${loginPath}/login`, { username: 'mallory', password: 'nope' });
    for (const res of [wrongPassword, unknownUser]) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      const page = await res.text();
      assert.match(page, /Wrong user name or password\./);
      assert.match(page, /name="password"/);
    }
    // The interaction is still usable after failed attempts.
    const ok = await browser.post(`${loginPath}/login`, { username: 'alice', password: 'alice-password' });
    assert.equal(ok.status, 303);
  });

  it('escapes the user name it shows again', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const res = await browser.post(`${loginPath}/login`, {
      username: '"><script>alert(1)</script>',
      password: 'x',
    });
    const page = await res.text();
    assert.doesNotMatch(page, /<script>/);
    assert.match(page, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  });

  it('asks for both fields', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const res = await browser.post(`${loginPath}/login`, { username: 'alice' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Enter your user name and password\./);
  });

  it('sends security headers and no scripts', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const res = await browser.fetch(loginPath);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await res.text();
    assert.match(page, /Gateway sign-in/);
    assert.doesNotMatch(page, /<script/);
  });

  it('refuses a post without the interaction cookie (another site, another browser) with an expiry page', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const stranger = new CookieClient(identity.url);
    const res = await stranger.post(`${loginPath}/login`, { username: 'alice', password: 'alice-password' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /Sign-in expired/);
  });

  it('refuses a post whose URL names another interaction than its cookie', async () => {
    const browser = new CookieClient(identity.url);
    await startAuthorization(browser, pkce().challenge);
    // The cookie is scoped to its interaction's path, so send it explicitly to another uid.
    const res = await browser.fetch('/interaction/some-other-uid/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice-password',
    });
    assert.equal(res.status, 400);
  });

  it('cancelling sends the client access_denied', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const back = await follow(browser, await browser.post(`${loginPath}/abort`, {}));
    assert.ok(back instanceof URL);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'state-123');
  });

  it('denying consent sends the client access_denied', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const consent = await follow(
      browser,
      await browser.post(`${loginPath}/login`, { username: 'bob', password: 'bob-password' }),
    );
    assert.ok(consent instanceof Response);
    const consentPath = /action="(\/interaction\/[\w-]+)\/confirm"/.exec(await consent.text())?.[1];
    const back = await follow(browser, await browser.post(`${consentPath}/abort`, {}));
    assert.ok(back instanceof URL);
    assert.equal(back.searchParams.get('error'), 'access_denied');
  });

  it('answers a GET on the form posts with 404, and an unknown interaction with the expiry page', async () => {
    const browser = new CookieClient(identity.url);
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const get = await browser.fetch(`${loginPath}/login`);
    assert.equal(get.status, 404);
    const unknown = await new CookieClient(identity.url).fetch('/interaction/unknown');
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /Sign-in expired/);
  });
});

describe('sign-out', () => {
  it('confirms on its own page, ends the session and returns to the registered URI', async () => {
    const browser = new CookieClient(identity.url);
    const { verifier, challenge } = pkce();
    const callback = await signIn(browser, challenge, 'alice', 'alice-password');
    const tokens = (await (await exchange(callback.searchParams.get('code') ?? '', verifier)).json()) as {
      id_token: string;
    };
    const query = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'http://localhost:8000/oauth2/signed_out',
      state: 'bye',
    });
    const confirm = await browser.fetch(`/session/end?${query}`);
    assert.equal(confirm.status, 200);
    const page = await confirm.text();
    assert.match(page, /<h1>Sign out\?<\/h1>/);
    assert.doesNotMatch(page, /fonts\.googleapis/);
    const action = /<form id="op\.logoutForm" method="post" action="([^"]+)">/.exec(page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(action && xsrf, page);
    const done = await browser.post(new URL(action).pathname, { xsrf, logout: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(location(done), 'http://localhost:8000/oauth2/signed_out?state=bye');

    // Signed out: the next authorization asks for the password again.
    const loginPath = await startAuthorization(browser, pkce().challenge);
    const login = await browser.fetch(loginPath);
    assert.match(await login.text(), /<h1>Sign in<\/h1>/);
  });
});

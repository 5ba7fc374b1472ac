import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CookieClient,
  type RunningIdentity,
  startIdentity,
} from '@gateway-pattern/identity/src/test-support.ts';
import { buildApp } from '../app.ts';
import type { LoginConfig } from '../config.ts';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../login/session.ts';
import { testLoginConfig } from '../testing/login-config.ts';

/** The gateway's public origin: the demo client `forward-auth` is registered with its callback. */
const PUBLIC = 'http://localhost:8000';

const loginConfig = (identity: RunningIdentity, overrides: Partial<LoginConfig> = {}): LoginConfig =>
  testLoginConfig(identity.url, {
    cookieKeys: [Buffer.alloc(32, 3)],
    postLogoutRedirectUrl: `${PUBLIC}/oauth2/signed_out`,
    ...overrides,
  });

async function startForwardAuth(login: LoginConfig, publicUrl = PUBLIC) {
  const app = buildApp({ logLevel: false, staticTokens: [], login, publicUrl });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

function location(res: Response): string {
  const to = res.headers.get('location');
  assert.ok(to, `expected a redirect, got ${res.status}`);
  return to;
}

/** The Set-Cookie line for a cookie name, or undefined. */
function setCookie(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/**
 * A browser in front of the stack: URLs of the public origin go to forward-auth as the gateway would route them
 * (`/oauth2/*` as is, other paths through forwardAuth's `/auth` with Traefik's X-Forwarded-* headers), URLs of the
 * identity provider go to it; each origin keeps its own cookies, and no redirect is followed by itself.
 */
class Browser {
  readonly gateway: CookieClient;
  readonly idp: CookieClient;
  readonly #identity: string;

  constructor(forwardAuthUrl: string, identityUrl: string) {
    this.gateway = new CookieClient(forwardAuthUrl);
    this.idp = new CookieClient(identityUrl);
    this.#identity = identityUrl;
  }

  /** What forwardAuth would ask forward-auth for a page request to `target` at the gateway. */
  authCheck(target: string): Promise<Response> {
    const url = new URL(target, PUBLIC);
    return this.gateway.fetch('/auth', {
      headers: {
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        'x-forwarded-method': 'GET',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': url.host,
        'x-forwarded-uri': `${url.pathname}${url.search}`,
      },
    });
  }

  get(target: string): Promise<Response> {
    const url = new URL(target);
    if (url.origin === PUBLIC) return this.gateway.fetch(`${url.pathname}${url.search}`);
    if (url.origin === this.#identity) return this.idp.fetch(url.href);
    throw new Error(`the test browser does not go to ${url.origin}`);
  }

  /** Follows redirects within the identity provider until it leaves it or shows a page. */
  async followIdp(res: Response): Promise<Response | URL> {
    let current = res;
    for (let hops = 0; hops < 8 && current.status >= 300 && current.status < 400; hops++) {
      const to = new URL(location(current), this.#identity);
      if (to.origin !== this.#identity) return to;
      current = await this.idp.fetch(to.href);
    }
    return current;
  }

  /** At the provider's pages: signs in and, when asked, consents; returns where the provider sends the browser. */
  async signInAtProvider(authorizationUrl: string, user: string, password: string): Promise<URL> {
    let page = await this.followIdp(await this.get(authorizationUrl));
    if (page instanceof URL) return page;
    const loginPath = new URL(page.url).pathname;
    assert.match(await page.text(), /name="password"/);
    page = await this.followIdp(await this.idp.post(`${loginPath}/login`, { username: user, password }));
    if (page instanceof URL) return page;
    const html = await page.text();
    const consentPath = /action="(\/interaction\/[\w-]+)\/confirm"/.exec(html)?.[1];
    assert.ok(consentPath, html);
    const done = await this.followIdp(await this.idp.post(`${consentPath}/confirm`, {}));
    assert.ok(done instanceof URL, 'expected the provider to send the browser back');
    return done;
  }

  /** The whole login from a page request: returns the callback's answer. */
  async login(page: string, user: string, password: string): Promise<Response> {
    const check = await this.authCheck(page);
    assert.equal(check.status, 302);
    const start = await this.get(location(check));
    assert.equal(start.status, 302);
    const callback = await this.signInAtProvider(location(start), user, password);
    return this.get(callback.href);
  }
}

describe('browser login against the identity provider', () => {
  let identity: RunningIdentity;
  let forwardAuth: Awaited<ReturnType<typeof startForwardAuth>>;
  before(async () => {
    identity = await startIdentity();
    forwardAuth = await startForwardAuth(loginConfig(identity));
  });
  after(async () => {
    await forwardAuth.app.close();
    await identity.close();
  });

  it('sends a browser to the provider with PKCE, state and nonce, and a flow cookie', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const check = await browser.authCheck('/pybackend/whoami?a=1');
    assert.equal(check.status, 302);
    const startUrl = new URL(location(check));
    assert.equal(startUrl.searchParams.get('rd'), `${PUBLIC}/pybackend/whoami?a=1`);

    const start = await browser.get(startUrl.href);
    assert.equal(start.status, 302);
    assert.equal(start.headers.get('cache-control'), 'no-store');
    const authorization = new URL(location(start));
    assert.equal(`${authorization.origin}${authorization.pathname}`, `${identity.url}/auth`);
    const params = Object.fromEntries(authorization.searchParams);
    assert.equal(params.client_id, 'forward-auth');
    assert.equal(params.response_type, 'code');
    assert.equal(params.redirect_uri, `${PUBLIC}/oauth2/callback`);
    assert.equal(params.scope, 'openid email profile roles');
    assert.equal(params.code_challenge_method, 'S256');
    assert.match(params.code_challenge ?? '', /^[\w-]{43}$/);
    assert.match(params.state ?? '', /^[\w-]{20,}$/);
    assert.match(params.nonce ?? '', /^[\w-]{20,}$/);
    // The flow cookie holds the verifier, state and nonce encrypted: none of them shows in it.
    const flow = setCookie(start, LOGIN_COOKIE);
    assert.ok(flow);
    assert.match(flow, /; Path=\/oauth2\/(;|$)/);
    assert.match(flow, /; HttpOnly/);
    assert.match(flow, /; SameSite=Lax/);
    assert.doesNotMatch(flow, /; Secure/);
    assert.ok(!flow.includes(params.state ?? '-') && !flow.includes(params.nonce ?? '-'));
  });

  it('signs alice in: session cookie, back to the page, identity headers on /auth', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const callback = await browser.login('/pybackend/whoami?a=1', 'alice', 'alice-password');
    assert.equal(callback.status, 302, await callback.text());
    assert.equal(location(callback), `${PUBLIC}/pybackend/whoami?a=1`);
    const session = setCookie(callback, SESSION_COOKIE);
    assert.ok(session);
    assert.match(session, /; Path=\/(;|$)/);
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; SameSite=Lax/);
    assert.match(session, /; Max-Age=3600/);
    assert.doesNotMatch(session, /; Secure/);
    assert.doesNotMatch(session, /alice/);
    assert.match(setCookie(callback, LOGIN_COOKIE) ?? '', /Max-Age=0/, 'the flow cookie is cleared');

    const check = await browser.authCheck('/pybackend/whoami?a=1');
    assert.equal(check.status, 200);
    assert.equal(check.headers.get('x-auth-user'), 'alice');
    assert.equal(check.headers.get('x-auth-email'), 'alice@example.com');
    assert.equal(check.headers.get('x-auth-roles'), 'reader');
    assert.deepEqual(await check.json(), { status: 'ok' });
  });

  it('gives bob, who has no roles, no X-Auth-Roles', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const callback = await browser.login('/rbackend/', 'bob', 'bob-password');
    assert.equal(callback.status, 302);
    const check = await browser.authCheck('/rbackend/');
    assert.equal(check.status, 200);
    assert.equal(check.headers.get('x-auth-user'), 'bob');
    assert.equal(check.headers.get('x-auth-roles'), null);
  });

  it('refuses a forged state, a state issued to another browser, and a replayed callback', async () => {
    const victim = new Browser(forwardAuth.url, identity.url);
    const attacker = new Browser(forwardAuth.url, identity.url);

    // The victim has a login in flight (a flow cookie); a callback with a state it never got is refused.
    const start = await victim.get(`${PUBLIC}/oauth2/start?rd=/pybackend`);
    assert.equal(start.status, 302);
    const forged = await victim.get(
      `${PUBLIC}/oauth2/callback?code=forged-code&state=forged-state&iss=${encodeURIComponent(identity.url)}`,
    );
    assert.equal(forged.status, 400);
    assert.match(
      ((await forged.json()) as { detail: string }).detail,
      /^Sign-in failed: unknown or expired state/,
    );
    assert.equal(setCookie(forged, SESSION_COOKIE), undefined);

    // Login CSRF: the attacker's own valid callback (code and state) pushed into the victim's browser.
    const attackerStart = await attacker.get(`${PUBLIC}/oauth2/start`);
    const attackerCallback = await attacker.signInAtProvider(location(attackerStart), 'bob', 'bob-password');
    const pushed = await victim.get(attackerCallback.href);
    assert.equal(pushed.status, 400);
    assert.equal(setCookie(pushed, SESSION_COOKIE), undefined);
    assert.equal((await victim.authCheck('/pybackend')).status, 302, 'the victim is still signed out');

    // The attacker's own browser can use it once; the same callback again is refused.
    assert.equal((await attacker.get(attackerCallback.href)).status, 302);
    const replay = await attacker.get(attackerCallback.href);
    assert.equal(replay.status, 400);
  });

  it('refuses a callback whose code the provider does not know, keeping the state single-use', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const start = await browser.get(`${PUBLIC}/oauth2/start`);
    const state = new URL(location(start)).searchParams.get('state') ?? '';
    const res = await browser.get(
      `${PUBLIC}/oauth2/callback?code=made-up&state=${state}&iss=${encodeURIComponent(identity.url)}`,
    );
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { detail: string }).detail, /invalid_grant/);
    assert.equal(setCookie(res, SESSION_COOKIE), undefined);
  });

  it('reports a refusal at the provider (access_denied) as 403', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const start = await browser.get(`${PUBLIC}/oauth2/start`);
    const page = await browser.followIdp(await browser.get(location(start)));
    assert.ok(page instanceof Response);
    const abortPath = `${new URL(page.url).pathname}/abort`;
    const back = await browser.followIdp(await browser.idp.post(abortPath, {}));
    assert.ok(back instanceof URL);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    const res = await browser.get(back.href);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { detail: string }).detail, /access_denied/);
  });

  it('returns to / for a return address of another origin', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const start = await browser.get(
      `${PUBLIC}/oauth2/start?rd=${encodeURIComponent('https://evil.example/')}`,
    );
    const callback = await browser.signInAtProvider(location(start), 'alice', 'alice-password');
    const res = await browser.get(callback.href);
    assert.equal(res.status, 302);
    assert.equal(location(res), `${PUBLIC}/`);
  });

  it('signs out: clears the session and ends the provider session', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    assert.equal((await browser.login('/pybackend', 'alice', 'alice-password')).status, 302);
    assert.equal((await browser.authCheck('/pybackend')).status, 200);

    const signOut = await browser.get(`${PUBLIC}/oauth2/sign_out`);
    assert.equal(signOut.status, 302);
    assert.match(setCookie(signOut, SESSION_COOKIE) ?? '', /^_forward_auth=;.*Max-Age=0/);
    const end = new URL(location(signOut));
    assert.equal(`${end.origin}${end.pathname}`, `${identity.url}/session/end`);
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${PUBLIC}/oauth2/signed_out`);
    assert.ok(end.searchParams.get('id_token_hint'));
    assert.equal((await browser.authCheck('/pybackend')).status, 302, 'signed out at forward-auth');

    // The provider asks for confirmation, then returns to the registered address.
    const confirm = await browser.get(end.href);
    assert.equal(confirm.status, 200);
    const html = await confirm.text();
    const action = /<form id="op\.logoutForm" method="post" action="([^"]+)">/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && xsrf, html);
    const done = await browser.idp.post(new URL(action).pathname, { xsrf, logout: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(location(done), `${PUBLIC}/oauth2/signed_out`);
    const landing = await browser.get(location(done));
    assert.equal(landing.status, 200);
    assert.match(landing.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await landing.text(), /You are signed out/);

    // Signed out at the provider too: the next login asks for the password again.
    const start = await browser.get(`${PUBLIC}/oauth2/start`);
    const page = await browser.followIdp(await browser.get(location(start)));
    assert.ok(page instanceof Response);
    assert.match(await page.text(), /name="password"/);
  });

  it('signs out without a session straight back to the checked address', async () => {
    const browser = new Browser(forwardAuth.url, identity.url);
    const res = await browser.get(`${PUBLIC}/oauth2/sign_out?rd=/pybackend`);
    assert.equal(res.status, 302);
    assert.equal(location(res), `${PUBLIC}/pybackend`);
  });
});

describe('browser login with an https public URL', () => {
  it('marks both cookies Secure', async () => {
    const identity = await startIdentity();
    const forwardAuth = await startForwardAuth(loginConfig(identity), 'https://gateway.example');
    try {
      const res = await fetch(`${forwardAuth.url}/oauth2/start`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.match(setCookie(res, LOGIN_COOKIE) ?? '', /; Secure/);
      assert.equal(
        new URL(location(res)).searchParams.get('redirect_uri'),
        'https://gateway.example/oauth2/callback',
      );
    } finally {
      await forwardAuth.app.close();
      await identity.close();
    }
  });
});

/** A reverse proxy to `target` that records each request's path and X-Forwarded-Host. */
async function recordingProxy(
  target: string,
): Promise<{ url: string; seen: { path: string; host?: string }[]; server: Server }> {
  const seen: { path: string; host?: string }[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forwardedHost = req.headers['x-forwarded-host'];
    seen.push({ path: req.url ?? '', ...(typeof forwardedHost === 'string' ? { host: forwardedHost } : {}) });
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

describe('browser login over an internal provider URL', () => {
  it('makes discovery and the code exchange through OIDC_INTERNAL_URL, sending browsers to the public issuer', async () => {
    const identity = await startIdentity({ trustProxy: true });
    const proxy = await recordingProxy(identity.url);
    const forwardAuth = await startForwardAuth(loginConfig(identity, { internalUrl: proxy.url }));
    try {
      const browser = new Browser(forwardAuth.url, identity.url);
      const callback = await browser.login('/pybackend', 'alice', 'alice-password');
      assert.equal(callback.status, 302, await callback.text());
      assert.equal((await browser.authCheck('/pybackend')).headers.get('x-auth-user'), 'alice');
      const paths = proxy.seen.map((request) => request.path);
      assert.ok(paths.includes('/.well-known/openid-configuration'), paths.join(' '));
      assert.ok(paths.includes('/token'), paths.join(' '));
      assert.ok(!paths.some((path) => path.startsWith('/auth')), 'the browser never goes through it');
      const publicHost = new URL(identity.url).host;
      assert.ok(proxy.seen.every((request) => request.host === publicHost));
    } finally {
      await forwardAuth.app.close();
      proxy.server.close();
      await identity.close();
    }
  });
});

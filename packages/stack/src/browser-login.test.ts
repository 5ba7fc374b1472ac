/**
 * The browser login of the walkthrough, in a real browser against the whole stack: Debian's chromium driven by
 * playwright-core. A page behind forward auth sends a signed-out browser to the identity provider's login, the
 * callback sets an encrypted session cookie, the backend learns who signed in, and signing out ends it.
 *
 * Screenshots go to $SCREENSHOT_DIR (default: a temporary folder, named in the output); the README's pictures are
 * made with SCREENSHOT_DIR=docs/images.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot, type StackConfig } from './config.ts';
import type { Stack } from './launcher.ts';
import { startTestStack } from './test-stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs chromium (.ci/run), so there a missing one is a failure, not a skip.
const skip =
  existsSync(CHROMIUM) || process.env.CI ? false : `no browser at ${CHROMIUM}: apt-get install chromium`;

const screenshots = process.env.SCREENSHOT_DIR
  ? resolve(repoRoot, process.env.SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), 'login-screenshots-'));

describe('browser login through the gateway', { skip }, () => {
  let stack: Stack | undefined;
  let config: StackConfig;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const gateway = () => `http://localhost:${config.GATEWAY_WEB_PORT}`;
  const consoleErrors: string[] = [];
  const failedLoads: string[] = [];

  before(async () => {
    ({ stack, config } = await startTestStack());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 900, height: 640 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('console', (message) => {
      // A failed load is reported below with its URL; anything else is a script or page error.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400)
        failedLoads.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    mkdirSync(screenshots, { recursive: true });
    process.stdout.write(`# screenshots: ${screenshots}\n`);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sends a signed-out browser from a protected page to the login page', async () => {
    const response = await page.goto(`${gateway()}/pybackend/whoami`);
    assert.equal(response?.status(), 200);
    const url = new URL(page.url());
    assert.equal(url.origin, `http://localhost:${config.IDENTITY_PORT}`);
    assert.match(url.pathname, /^\/interaction\//);
    assert.equal(await page.locator('input[name="username"]').count(), 1);
    await page.screenshot({ path: join(screenshots, 'login.png') });
  });

  it('signs alice in and returns to the page, which names her', async () => {
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'alice-password');
    await page.click('button[type="submit"].primary');
    // First sign-in at this client: the provider asks to share the profile.
    await page.click('button.primary:has-text("Allow")');
    await page.waitForURL(`${gateway()}/pybackend/whoami`);
    const seen = JSON.parse((await page.locator('body').innerText()).trim()) as {
      user: string;
      headers: Record<string, string>;
      assertion?: { sub: string; email?: string; roles: string[] };
    };
    assert.equal(seen.user, 'alice');
    assert.equal(seen.headers['x-auth-email'], 'alice@example.com');
    assert.equal(seen.headers['x-auth-roles'], 'reader');
    // The same identity, signed by forward-auth and verified by the backend.
    assert.equal(seen.assertion?.sub, 'alice');
    assert.equal(seen.assertion?.email, 'alice@example.com');
    assert.deepEqual(seen.assertion?.roles, ['reader']);
    await page.screenshot({ path: join(screenshots, 'whoami.png') });
  });

  it('keeps the session in an encrypted, HttpOnly, SameSite=Lax cookie', async () => {
    const cookies = await context.cookies(gateway());
    const session = cookies.find((cookie) => cookie.name === '_forward_auth');
    assert.ok(session, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    // Encrypted: nothing of the identity is readable in it.
    assert.doesNotMatch(Buffer.from(session.value, 'base64').toString('latin1'), /alice/);
  });

  it('refuses a forged state at the callback', async () => {
    const response = await page.goto(`${gateway()}/oauth2/callback?code=forged&state=forged`);
    assert.equal(response?.status(), 400);
    // The session survives a refused callback.
    const again = await page.goto(`${gateway()}/pybackend/whoami`);
    assert.equal(again?.status(), 200);
    assert.match(await page.locator('body').innerText(), /"user":\s*"alice"/);
  });

  it('signs out: the session ends here and at the provider', async () => {
    await page.goto(`${gateway()}/oauth2/sign_out`);
    await page.click('button[name="logout"][value="yes"]');
    await page.waitForURL(`${gateway()}/oauth2/signed_out`);
    assert.match(await page.locator('h1').innerText(), /signed out/i);
    const cookies = await context.cookies(gateway());
    assert.equal(
      cookies.find((cookie) => cookie.name === '_forward_auth'),
      undefined,
    );
    // The next visit asks for the password again.
    await page.goto(`${gateway()}/pybackend/whoami`);
    assert.equal(new URL(page.url()).origin, `http://localhost:${config.IDENTITY_PORT}`);
    assert.equal(await page.locator('input[name="password"]').count(), 1);
  });

  it('logged no error in the browser, and failed no load but the forged callback and the favicon', () => {
    assert.deepEqual(consoleErrors, []);
    // The gateway routes nothing at /favicon.ico (a 404, as Traefik answers); the forged callback is refused above.
    assert.deepEqual(
      failedLoads.filter((load) => load !== '404 /favicon.ico'),
      ['400 /oauth2/callback'],
    );
  });
});

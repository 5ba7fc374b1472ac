/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, against a gateway with an echo
 * backend behind a forwardAuth stand-in and a router whose rule cannot be parsed. The pages load without console
 * errors, list the routers with the broken one's error, mask secrets, and the live figures move after the test
 * sends requests; a dark phone-sized view is checked too.
 *
 * Screenshots go to $SCREENSHOT_DIR (relative to the repository root; default: a temporary folder, named in the
 * output). The README's picture is made with SCREENSHOT_DIR=docs/images.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventually } from '../../testing/harness.ts';
import { type DashboardFixture, startDashboardFixture } from './dashboard-fixture.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs chromium (.ci/run), so there a missing one is a failure, not a skip.
const skip =
  existsSync(CHROMIUM) || process.env.CI ? false : `no browser at ${CHROMIUM}: apt-get install chromium`;

/** How much wider than the window the page is (evaluated in the page). */
const tooWide = 'document.documentElement.scrollWidth - window.innerWidth';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..', '..');
const screenshots = process.env.SCREENSHOT_DIR
  ? resolve(repoRoot, process.env.SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), 'dashboard-screenshots-'));

describe('dashboard in a browser', { skip, timeout: 120_000 }, () => {
  let fixture: DashboardFixture;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  /** Opens a page that records console errors and failed loads. */
  const open = async (options: { width: number; height: number; dark?: boolean }): Promise<Page> => {
    const context = await browser!.newContext({
      viewport: { width: options.width, height: options.height },
      colorScheme: options.dark ? 'dark' : 'light',
      deviceScaleFactor: 1,
    });
    const opened = await context.newPage();
    opened.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    opened.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    opened.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    return opened;
  };

  before(async () => {
    fixture = await startDashboardFixture();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await open({ width: 1280, height: 900 });
    mkdirSync(screenshots, { recursive: true });
    process.stdout.write(`# screenshots: ${screenshots}\n`);
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('shows the overview: entrypoints and counts with errors', async () => {
    await page.goto(`${fixture.gw.admin}/dashboard/`);
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
    const routers = page.locator('.card', { hasText: 'routers' });
    assert.match(await routers.innerText(), /3\s+0 warnings · 1 error$/);
    assert.equal(await page.locator('td', { hasText: /^web$/ }).count(), 1);
    await page.locator('.live-badge.on').waitFor();
    await page.screenshot({ path: join(screenshots, 'dashboard-overview.png'), fullPage: true });
  });

  it('lists the routers with their chain in order, and the error that disabled the broken one', async () => {
    await page.goto(`${fixture.gw.admin}/dashboard/#/routers`);
    await page.locator('h1', { hasText: 'Routers' }).waitFor();
    const names = await page.locator('td[data-label="Name"] b').allInnerTexts();
    assert.deepEqual(names, ['broken@file', 'echo@file', 'protected@file']);
    const broken = page.locator('table.grid tr', { hasText: 'broken@file' });
    assert.equal(await broken.locator('.badge').innerText(), 'disabled');
    assert.match(await broken.locator('.problems').innerText(), /\S/);
    const chain = await page
      .locator('table.grid tr', { hasText: 'protected@file' })
      .locator('.chain li')
      .allInnerTexts();
    assert.deepEqual(chain, ['token-auth', 'strip']);
    await page.screenshot({ path: join(screenshots, 'dashboard-routers.png'), fullPage: true });
  });

  it('masks secrets in middleware settings', async () => {
    await page.goto(`${fixture.gw.admin}/dashboard/#/middlewares`);
    await page.locator('h1', { hasText: 'Middlewares' }).waitFor();
    const users = page.locator('table.grid tr', { hasText: 'users@file' });
    assert.match(await users.innerText(), /alice:••••••/);
    assert.doesNotMatch(await page.content(), /\$2y\$05\$/, 'no bcrypt hash anywhere in the page');
  });

  it('moves its live figures when requests arrive, forwardAuth decisions included', async () => {
    await page.goto(`${fixture.gw.admin}/dashboard/#/live`);
    await page.locator('h1', { hasText: 'Live' }).waitFor();
    await page.locator('.live-badge.on').waitFor();
    const echo = page.locator('table.grid tr', { hasText: 'echo@file' });
    assert.equal(await echo.count(), 0, 'no figures before any request');

    // A few seconds of mixed traffic, so the charts draw lines rather than a dot.
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      await Promise.all([
        fixture.traffic('/echo/items', 12),
        fixture.traffic('/protected/data', 4, 'good'),
        fixture.traffic('/protected/data', 1, 'bad'),
        fixture.traffic('/nowhere', 1),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await fixture.traffic('/protected/data', 1, 'down');
    await page.locator('table.grid tr', { hasText: 'token-auth@file' }).waitFor();
    const decisionsRow = page.locator('table.grid tr', { hasText: 'token-auth@file' });
    await eventually(async () => /error\D*1\b/.test(await decisionsRow.innerText()));
    const echoText = await echo.innerText();
    assert.match(echoText, /200/);
    assert.doesNotMatch(echoText, /—\s+—$/, 'p50 and p99 are known');
    const decisions = await decisionsRow.innerText();
    assert.match(decisions, /allowed/);
    assert.match(decisions, /denied/);
    const codes = await page.locator('table.grid tr', { hasText: 'protected@file' }).innerText();
    assert.match(codes, /401/, 'refused requests count for their router');
    assert.equal(await page.locator('.chart canvas').count(), 2);
    // The numbers keep moving: the rate over the last seconds changes from tick to tick.
    const before = await echo.locator('td').nth(1).innerText();
    await eventually(async () => (await echo.locator('td').nth(1).innerText()) !== before);
    await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
  });

  it('shows a rejected change in the history with its file and error', async () => {
    await fixture.gw.write('zz-bad.yml', 'http:\n  routers: [oops\n');
    await fixture.gw.gateway.nextReload();
    await page.goto(`${fixture.gw.admin}/dashboard/#/history`);
    const rejected = page.locator('table.grid tr', { hasText: 'rejected' });
    await rejected.waitFor();
    assert.match(await rejected.innerText(), /zz-bad\.yml/);
    assert.match(await rejected.locator('pre.error').innerText(), /invalid YAML/);
    await page.screenshot({ path: join(screenshots, 'dashboard-history.png'), fullPage: true });
  });

  it('fits a phone in dark mode', async () => {
    const phone = await open({ width: 390, height: 844, dark: true });
    await phone.goto(`${fixture.gw.admin}/dashboard/#/live`);
    await phone.locator('.live-badge.on').waitFor();
    await phone.locator('table.grid tr', { hasText: 'echo@file' }).waitFor();
    const background = await phone.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    assert.equal(background, 'rgb(15, 20, 27)', 'the dark palette follows the system');
    const overflow = await phone.evaluate<number>(tooWide);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await phone.screenshot({ path: join(screenshots, 'dashboard-phone-dark.png'), fullPage: true });
    await phone.goto(`${fixture.gw.admin}/dashboard/#/routers`);
    await phone.locator('td[data-label="Name"]', { hasText: 'broken@file' }).waitFor();
    const phoneOverflow = await phone.evaluate<number>(tooWide);
    assert.ok(phoneOverflow <= 0, `routers fit too (${phoneOverflow}px too wide)`);
    await phone.context().close();
  });

  it('logged no console error and no failed load', () => {
    // The test's own requests to /nowhere go to the web entrypoint, not through the page.
    assert.deepEqual(problems, []);
  });
});

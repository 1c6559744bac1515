/**
 * @fileoverview The sign-in pages in a real browser: Debian's chromium, headless, driven by
 * playwright-core. Signs in through the test identity provider's forms, checks the pages'
 * accessible names, that the nonce-tagged script runs under the Content-Security-Policy (the
 * copy buttons appear) with no violation reported, revokes the token with its button, and saves
 * screenshots under var/test-artifacts/.
 *
 * Under CI=true the browser must be there; elsewhere the test is skipped, saying why, when
 * /usr/bin/chromium is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';

import { startSsoTestSetup, type SsoTestSetup } from './support/sso-test-setup.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../var/test-artifacts');

const chromiumPresent = fs.existsSync(CHROMIUM);
const mustRun = process.env['CI'] === 'true';
if (!chromiumPresent && !mustRun) {
  console.log(`Skipping the SSO browser test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI=true it runs and fails instead.`);
}
const describeInBrowser = chromiumPresent || mustRun ? describe : describe.skip;

/** A page in its own browser context that can reach 127.0.0.1 only (the provider's page asks for web fonts). */
async function newIsolatedPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  return context.newPage();
}

describeInBrowser('SSO pages in a headless browser', () => {
  let setup: SsoTestSetup;
  let browser: Browser;
  let page: Page;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    setup = await startSsoTestSetup();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    page = await newIsolatedPage(browser);
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) consoleProblems.push(message.text());
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await setup?.close();
  });

  it('signs in, shows the token with working copy buttons, and revokes it', async () => {
    await page.goto(`${setup.proxyBase}/auth/login`);
    expect(await page.title()).toBe('Sign in · LLM Proxy');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to LLM Proxy' }).isVisible()).resolves.toBe(true);
    const providerLink = page.getByRole('link', { name: 'Sign in with Test Identity Provider' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-login-page.png'), fullPage: true });

    await providerLink.click();
    await page.waitForURL((url) => url.origin === setup.idp.issuer);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${setup.proxyBase}/auth/callback`));

    await expect(page.getByRole('heading', { level: 1, name: 'Your proxy token' }).isVisible()).resolves.toBe(true);
    const tokenField = page.getByLabel('Personal proxy token');
    const token = await tokenField.inputValue();
    expect(token).toMatch(/^llmproxy-sso-/);
    // The copy buttons are shown by the page's script, so they prove it ran under the CSP nonce.
    await expect(page.getByRole('button', { name: 'Copy token' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-token-page.png'), fullPage: true });

    const whoami = await fetch(`${setup.proxyBase}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(whoami.status).toBe(200);

    await page.getByRole('link', { name: 'Manage your proxy tokens' }).click();
    await page.waitForURL(`${setup.proxyBase}/auth/tokens`);
    const tokenId = (await page.locator('tbody code').first().textContent()) ?? '';
    await page.getByRole('button', { name: `Revoke token ${tokenId}` }).click();
    await page.waitForURL(`${setup.proxyBase}/auth/tokens?revoked=${tokenId}`);
    await expect(page.getByRole('status').textContent()).resolves.toBe(`Token ${tokenId} has been revoked.`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-tokens-page.png'), fullPage: true });
    expect((await fetch(`${setup.proxyBase}/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    expect(consoleProblems).toEqual([]);
    for (const file of ['sso-login-page.png', 'sso-token-page.png', 'sso-tokens-page.png']) {
      expect(fs.statSync(path.join(ARTIFACTS, file)).size).toBeGreaterThan(1000);
    }
  }, 60_000);

  it('shows a refused user a clear page', async () => {
    const fresh = await newIsolatedPage(browser);
    await fresh.goto(`${setup.proxyBase}/auth/login/test-idp`);
    await fresh.locator('input[name="login"]').fill('bob');
    await fresh.locator('input[name="password"]').fill('any password');
    await fresh.locator('button[type="submit"]').click();
    await fresh.locator('button[type="submit"]', { hasText: 'Continue' }).click();
    await fresh.waitForURL((url) => url.href.startsWith(`${setup.proxyBase}/auth/callback`));
    await expect(fresh.getByRole('heading', { level: 1, name: 'Access denied' }).isVisible()).resolves.toBe(true);
    await expect(fresh.getByRole('alert').textContent()).resolves.toBe('Your account bob@other.org is not allowed to use this proxy.');
    await fresh.screenshot({ path: path.join(ARTIFACTS, 'sso-access-denied-page.png'), fullPage: true });
    await fresh.context().close();
  }, 60_000);
});

/**
 * Real headless Chromium (Debian's package) driven by playwright-core, resolving www.foobar.com
 * and foobar.com to loopback the way DNS would to the server. launch() gives every browser a
 * fresh temporary profile (playwright refuses a --user-data-dir argument).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Where screenshots are kept as test artifacts (gitignored). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** A browser for which www.foobar.com and foobar.com are `address` (default: this machine). */
export async function launchBrowser(
  address = '127.0.0.1',
  extraArgs: readonly string[] = [],
): Promise<TestBrowser> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP www.foobar.com ${address}, MAP foobar.com ${address}`,
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/**
 * A visitor at ADDRESS, by name: the home page answers 200 with the site's title, and the link to
 * the articles leads to a list of them.
 */
export async function browseSite(address: string): Promise<void> {
  const browser = await launchBrowser(address);
  try {
    const page = await browser.browser.newPage();
    const home = await page.goto('http://www.foobar.com/');
    assert.equal(home?.status(), 200);
    assert.match(await page.title(), /foobar/i);
    await page.click('a[href="/articles"]');
    await page.waitForURL('http://www.foobar.com/articles');
    assert.ok((await page.locator('article, li a[href^="/articles/"]').count()) > 0);
  } finally {
    await browser.close();
  }
}

/**
 * The console in a real browser: a supervisor signs in, lands on the supervisor page with the
 * health of the box, and sees a live call placed by sipp appear as it arrives; the observer
 * sees the figures but never a phone number.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { ControllerProcess } from '../support/controller.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeCall } from '../support/sipp.js';

describe('console', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;

  beforeAll(async () => {
    await controller.start();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await controller.stop();
  });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(controller.url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-password').press('Enter');
  }

  it('shows a live call to the supervisor as it arrives', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'supervisor1', 'demo-kcc-2026');
      await page.waitForURL(/#\/supervisor/, { timeout: 15_000 });
      await page
        .getByTestId('health-pbx')
        .and(page.locator('[data-level="ok"]'))
        .waitFor({ timeout: 15_000 });

      const caller = '77013330001';
      const call = await placeCall({
        did: '193',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        holdMs: 8000,
      });
      const row = page.getByTestId('live-call').filter({ hasText: caller });
      await row.waitFor({ timeout: 15_000 });
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('answered');
      expect(await row.getByTestId('call-service').textContent()).toContain('193');
      expect(await call.done).toBe(0);
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-supervisor.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });

  it('shows the observer the figures and no phone numbers', async () => {
    const context = await newContext(browser, 1920, 1080);
    const page = await context.newPage();
    try {
      await signIn(page, 'observer1', 'demo-kcc-2026');
      await page.waitForURL(/#\/observer/, { timeout: 15_000 });
      const caller = '77013330002';
      const call = await placeCall({
        did: '88000800193',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        holdMs: 6000,
      });
      await expect
        .poll(async () => Number(await page.getByTestId('summary-active-value').textContent()), {
          timeout: 15_000,
        })
        .toBeGreaterThanOrEqual(1);
      expect(await page.content()).not.toContain(caller);
      expect(await call.done).toBe(0);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-observer.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });

  it('refuses a wrong password with a message and switches language', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'operator1', 'wrong-password');
      const error = page.getByTestId('login-error');
      await error.waitFor({ timeout: 10_000 });
      expect(await error.getAttribute('data-code')).toBe('invalid_credentials');
      await page.getByTestId('lang-kk').click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('kk');
      await page.getByTestId('lang-en').click();
      await expect.poll(() => page.getByTestId('login-submit').textContent()).toMatch(/sign in/i);
    } finally {
      await context.close();
    }
  });
});

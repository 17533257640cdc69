/**
 * The supervisor's floor card in a real browser (OP-32): every operator with their status, the
 * Not ready reason and the time in status, following changes live over the console's WebSocket.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok } from '../support/controller.js';

interface AgentView {
  userId: number;
  username: string;
}

describe('floor card', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;
  let admin: Api;

  beforeAll(async () => {
    await controller.start();
    browser = await launchBrowser();
    admin = new Api(controller.url, caOf(env));
    await admin.login('admin', env.adminPassword);
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

  it("shows each operator's status and follows changes live", async () => {
    // An operator of its own: the demo operators' browser phones from other tests may have been
    // left behind by closed pages, and a lost phone rightly shows as unreachable.
    const username = `floorop${Date.now() % 100000}`;
    await ok(
      admin.post('/api/users', {
        username,
        displayName: 'Floor Operator',
        password: 'floor-operator-pass-1',
        role: 'operator',
        languages: ['kk', 'ru'],
      }),
      'create operator',
    );
    const floor = await ok(admin.get<{ items: AgentView[] }>('/api/agents'), 'floor');
    const operator = floor.items.find((a) => a.username === username);
    expect(operator, 'the new operator on the floor').toBeTruthy();
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, 'supervisor1', 'demo-kcc-2026');
      await page.waitForURL(/#\/supervisor/, { timeout: 15_000 });
      const row = page.locator(`[data-testid="agents-floor-row"][data-username="${username}"]`);
      await row.waitFor({ timeout: 15_000 });

      await ok(
        admin.put(`/api/agents/${operator!.userId}/status`, {
          status: 'not_ready',
          reasonId: 'lunch',
        }),
        'lunch',
      );
      await expect
        .poll(() => row.getAttribute('data-status'), { timeout: 10_000 })
        .toBe('not_ready');
      expect(await row.textContent()).toMatch(/Обед|Түскі ас|Lunch/);
      const time = row.locator('td.time');
      const first = await time.textContent();
      await expect.poll(() => time.textContent(), { timeout: 5000 }).not.toBe(first);

      await ok(admin.put(`/api/agents/${operator!.userId}/status`, { status: 'ready' }), 'ready');
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('ready');
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-floor.png' }).catch(() => undefined);
      throw err;
    } finally {
      await ok(
        admin.put(`/api/agents/${operator!.userId}/status`, { status: 'offline' }),
        'offline',
      ).catch(() => undefined);
      await context.close();
    }
  });
});

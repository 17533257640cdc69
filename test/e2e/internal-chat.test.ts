/**
 * Internal chat in real browsers (OP-32 item 6, SUP-33): one operator writes to another; the
 * message reaches the other's screen live with an unread badge, survives a reload, and the badge
 * clears once the conversation is open in front of them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { ControllerProcess } from '../support/controller.js';

const PASSWORD = 'demo-kcc-2026';

describe('internal chat', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await controller.start();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await controller.stop();
  });

  async function signIn(username: string): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(controller.url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-password').press('Enter');
    await page.waitForURL(/#\/operator/, { timeout: 15_000 });
    await page.getByTestId('chat-toggle').waitFor({ timeout: 10_000 });
    return page;
  }

  it('delivers a message live with an unread badge that clears when it is read', async () => {
    const sender = await signIn('operator1');
    const receiver = await signIn('operator2');
    const stamp = Date.now().toString(36);
    try {
      expect(await receiver.getByTestId('chat-unread-badge').count()).toBe(0);

      // operator1 starts a conversation with operator2 from the colleague list.
      await sender.getByTestId('chat-toggle').click();
      await sender.getByTestId('chat-new').click();
      await sender.locator('[data-testid="chat-colleague"][data-username="operator2"]').click();
      const input = sender.getByTestId('chat-input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`Ирина, сәлем! ${stamp}`);
      // Shift+Enter is a new line; Enter sends.
      await input.press('Shift+Enter');
      await input.pressSequentially('Клиент из Караганды ждёт ответа.');
      await input.press('Enter');
      const sent = sender.getByTestId('chat-messages').getByTestId('chat-message').last();
      await expect.poll(() => sent.textContent(), { timeout: 10_000 }).toContain(stamp);
      expect(await input.inputValue()).toBe('');

      // operator2 sees the badge without doing anything.
      const badge = receiver.getByTestId('chat-unread-badge');
      await badge.waitFor({ timeout: 10_000 });
      expect(await badge.textContent()).toBe('1');

      // After a reload the message and the badge are still there.
      await receiver.reload();
      await receiver.getByTestId('chat-toggle').waitFor({ timeout: 15_000 });
      await badge.waitFor({ timeout: 10_000 });
      expect(await badge.textContent()).toBe('1');
      await receiver.getByTestId('chat-toggle').click();
      const row = receiver.getByTestId('chat-conversation').filter({ hasText: stamp });
      await row.waitFor({ timeout: 10_000 });
      expect(await row.getByTestId('chat-conversation-unread').textContent()).toBe('1');

      // Opening the conversation shows the message, both lines, and clears the badge.
      await row.click();
      const received = receiver.getByTestId('chat-message').filter({ hasText: stamp });
      await received.waitFor({ timeout: 10_000 });
      const body = await received.locator('.body').innerText();
      expect(body).toBe(`Ирина, сәлем! ${stamp}\nКлиент из Караганды ждёт ответа.`);
      await badge.waitFor({ state: 'detached', timeout: 10_000 });

      // The read mark is the controller's: a reload shows nothing unread.
      await receiver.reload();
      await receiver.getByTestId('chat-toggle').waitFor({ timeout: 15_000 });
      await receiver.getByTestId('chat-toggle').click();
      await receiver.getByTestId('chat-conversation').first().waitFor({ timeout: 10_000 });
      expect(await badge.count()).toBe(0);
      expect(
        await receiver
          .getByTestId('chat-conversation')
          .filter({ hasText: stamp })
          .getByTestId('chat-conversation-unread')
          .count(),
      ).toBe(0);

      // The reply reaches operator1's open conversation live.
      await receiver.getByTestId('chat-conversation').filter({ hasText: stamp }).click();
      await receiver.getByTestId('chat-input').fill(`Иду ${stamp}`);
      await receiver.getByTestId('chat-input').press('Enter');
      await sender
        .getByTestId('chat-message')
        .filter({ hasText: `Иду ${stamp}` })
        .waitFor({ timeout: 10_000 });
      expect(await sender.getByTestId('chat-unread-badge').count()).toBe(0);
    } catch (err) {
      await sender.screenshot({ path: '/tmp/kcc-e2e-chat-sender.png' }).catch(() => undefined);
      await receiver.screenshot({ path: '/tmp/kcc-e2e-chat-receiver.png' }).catch(() => undefined);
      throw err;
    }
  });
});

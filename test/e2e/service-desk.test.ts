/**
 * The Service Desk in a real browser (SD-30, LINE-5): an operator registers a technical ticket from
 * a live call placed by sipp and escalates it; a second-line engineer finds it, sees the callback
 * countdown running and logs a callback attempt.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { ControllerProcess } from '../support/controller.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeCall } from '../support/sipp.js';

const PASSWORD = 'demo-kcc-2026';

describe('service desk', () => {
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

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(controller.url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-password').press('Enter');
  }

  it('registers a ticket from a live call, escalates it, and the second line logs a callback', async () => {
    const operatorContext = await newContext(browser);
    const operator = await operatorContext.newPage();
    const secondContext = await newContext(browser);
    const second = await secondContext.newPage();
    const caller = '77015550123';
    const call = await placeCall({
      did: '193',
      callerId: caller,
      pbxPort: TEST_PORTS.sip,
      holdMs: 30_000,
    });
    try {
      await signIn(operator, 'operator1');
      await operator.waitForURL(/#\/operator/, { timeout: 15_000 });
      const row = operator.getByTestId('live-call').filter({ hasText: caller });
      await row.waitFor({ timeout: 15_000 });
      const callId = await row.getAttribute('data-call-id');
      expect(callId).toBeTruthy();

      // From the call to a prefilled form.
      await row.getByTestId('call-new-ticket').click();
      await operator.getByTestId('ticket-form').waitFor({ timeout: 10_000 });
      expect(await operator.getByTestId('ticket-from-call').textContent()).toContain(callId);
      const phone = operator.locator('[id="f-subscriber.phone"]');
      expect(await phone.inputValue()).toBe(caller);

      await operator.locator('#f-type').selectOption('technical');
      // Saving with required fields empty is refused on the spot, naming them.
      await operator.getByTestId('ticket-save').click();
      await operator.getByTestId('ticket-form-error').waitFor({ timeout: 5000 });
      await operator.locator('#f-regionId').selectOption('almaty');
      await operator.locator('#f-serviceId').selectOption('dvb_t2');
      await operator.locator('#f-topic').fill('Нет сигнала на всех каналах');
      await operator
        .locator('#f-description')
        .fill('После грозы пропали все каналы, антенна на месте.');
      await operator.getByTestId('ticket-save').click();

      const page = operator.getByTestId('ticket-page');
      await page.waitFor({ timeout: 10_000 });
      const ticketId = Number(await page.getAttribute('data-ticket-id'));
      expect(ticketId).toBeGreaterThan(0);
      expect(await operator.getByTestId('ticket-phone').textContent()).toBe(`+${caller}`);
      expect(await operator.getByTestId('ticket-status').getAttribute('data-status')).toBe('new');
      expect(
        await operator
          .getByTestId('ticket-links')
          .locator(`[data-kind="call"][data-ref="${callId}"]`)
          .count(),
      ).toBe(1);

      await operator.getByTestId('ticket-escalate').click();
      await expect
        .poll(() => operator.getByTestId('ticket-status').getAttribute('data-status'), {
          timeout: 10_000,
        })
        .toBe('escalated');
      // The clock runs for the operator too.
      await operator.getByTestId('ticket-countdown').waitFor({ timeout: 5000 });

      // The second line: the escalated ticket in its list, the countdown ticking, a callback logged.
      await signIn(second, 'secondline1');
      await second.waitForURL(/#\/operator/, { timeout: 15_000 });
      await second.getByTestId('nav-tickets').click();
      await second.getByTestId('view-tickets').waitFor({ timeout: 10_000 });
      await second.goto(`${controller.url}/#/tickets?line=second&status=escalated`);
      const listed = second.locator(`[data-testid="ticket-row"][data-ticket-id="${ticketId}"]`);
      await listed.waitFor({ timeout: 10_000 });
      await listed.click();
      const countdown = second.getByTestId('ticket-countdown');
      await countdown.waitFor({ timeout: 10_000 });
      expect(await second.getByTestId('ticket-callback').getAttribute('data-state')).toBe('ok');
      const first = await countdown.textContent();
      expect(first).toMatch(/1:5\d:\d\d/);
      await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);

      await second.getByTestId('callback-result').selectOption('no_answer');
      await second
        .getByTestId('callback-note')
        .fill('Абонент не берёт трубку, перезвоню через 20 минут');
      await second.getByTestId('callback-log').click();
      const attempts = second.getByTestId('callback-attempts').locator('li');
      await expect.poll(() => attempts.count(), { timeout: 10_000 }).toBe(1);
      expect(await attempts.first().textContent()).toContain('secondline1');
      // The operator's page follows the change live.
      await expect
        .poll(
          () =>
            operator
              .getByTestId('ticket-history')
              .locator('[data-kind="callback_attempt"]')
              .count(),
          {
            timeout: 10_000,
          },
        )
        .toBe(1);
    } catch (err) {
      await operator.screenshot({ path: '/tmp/kcc-e2e-sd-operator.png' }).catch(() => undefined);
      await second.screenshot({ path: '/tmp/kcc-e2e-sd-second.png' }).catch(() => undefined);
      throw err;
    } finally {
      // The caller hangs up by itself (or the IVR ends the call first): wait for it either way.
      await call.done.catch(() => undefined);
      await operatorContext.close();
      await secondContext.close();
    }
  });
});

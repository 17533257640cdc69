/**
 * Call control beyond answer and hang-up, in real browsers against the PBX lab (OP-32): attended
 * transfer (consult, cancel, consult again, complete), a three-way conference (add a colleague,
 * drop them), mute and the keypad. Each step is checked where Asterisk shows it, and the call
 * stays one call whose operator segments add up to the conversation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall, type SippIvrCall } from '../support/sipp.js';
import { queueMembers, watchAmi, type AmiWatch } from '../support/ami.js';
import {
  inboundPackets,
  microphoneEnabled,
  pageApi,
  signInOperator,
  waitForEndedCall,
} from '../support/operator-page.js';

describe('call control', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;
  let api: Api;
  let ami: AmiWatch;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
    await waitForPbx(api);
    // Straight to the Kazakh queue; operator1 and operator3 are members.
    await publishFlow(api, 'to-kk', { start: 'q', nodes: { q: { type: 'queue', queue: 'kk' } } });
    await routeServices(api, 'to-kk');
    browser = await launchBrowser();
    ami = await watchAmi(env);
  });

  afterAll(async () => {
    ami?.close();
    await browser?.close();
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  const state = (page: Page, attribute: string) =>
    page.getByTestId('softphone').getAttribute(attribute);

  /** operator1 and operator3 signed in and registered; a caller answered by operator1. */
  async function answeredCall(caller: string): Promise<{
    contexts: BrowserContext[];
    a: Page;
    b: Page;
    call: SippIvrCall;
    callId: string;
  }> {
    const contexts = [await newContext(browser), await newContext(browser)];
    const a = await signInOperator(contexts[0]!, controller.url, 'operator1');
    const b = await signInOperator(contexts[1]!, controller.url, 'operator3');
    for (const page of [a, b]) {
      await expect.poll(() => state(page, 'data-line'), { timeout: 15_000 }).toBe('registered');
    }
    // operator3 is busy elsewhere for now: the queue rings operator1 only.
    await b.getByTestId('status-not-ready').click();
    await b.locator('[data-testid="status-reasons"] [data-reason="break"]').click();
    await expect
      .poll(() => b.getByTestId('status-control').getAttribute('data-status'), {
        timeout: 10_000,
      })
      .toBe('not_ready');
    const call = await placeIvrCall({
      did: '193',
      callerId: caller,
      pbxPort: TEST_PORTS.sip,
      steps: [],
    });
    await expect.poll(() => state(a, 'data-call'), { timeout: 30_000 }).toBe('ringing');
    await a.getByTestId('softphone-answer').click();
    await expect.poll(() => state(a, 'data-call'), { timeout: 10_000 }).toBe('active');
    await expect.poll(() => inboundPackets(a), { timeout: 15_000 }).toBeGreaterThan(50);
    const live = await ok(
      api.get<{ items: Array<{ id: string; caller: string | null }> }>('/api/calls/live'),
    );
    const callId = live.items.find((c) => c.caller === caller)!.id;
    return { contexts, a, b, call, callId };
  }

  async function chooseColleague(page: Page, username: string) {
    // F4 opens the transfer form (the operator's shortcut).
    await page.keyboard.press('F4');
    const select = page.getByTestId('transfer-operator');
    await expect
      .poll(() => select.locator(`option[value="${username}"]:not([disabled])`).count(), {
        timeout: 10_000,
      })
      .toBe(1);
    await select.selectOption(username);
  }

  it('attended transfer: consult, go back, consult again and complete', async () => {
    const { contexts, a, b, call, callId } = await answeredCall('77017770011');
    try {
      // A colleague without a phone cannot be consulted: a clear refusal, the call unchanged.
      const offline = await pageApi<{ message: string }>(
        a,
        'POST',
        `/api/calls/${callId}/consult`,
        { target: { type: 'operator', value: 'operator2' } },
      );
      expect(offline.status).toBe(409);
      expect(offline.body.message).toMatch(/offline/);

      // Consult operator3: the caller waits, operator3's phone rings.
      await chooseColleague(a, 'operator3');
      await a.getByTestId('transfer-consult').click();
      await expect
        .poll(() => a.getByTestId('consult').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('ringing');
      await expect.poll(() => state(b, 'data-call'), { timeout: 15_000 }).toBe('ringing');
      await b.getByTestId('softphone-answer').click();
      await expect
        .poll(() => a.getByTestId('consult').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('talking');
      // The PBX has operator1 talking with operator3, away from the caller.
      const during = await pageApi<{ state: string; target: { value: string } }>(
        a,
        'GET',
        `/api/calls/${callId}/consult`,
      );
      expect(during.body).toMatchObject({ state: 'talking', target: { value: 'operator3' } });

      // Back to the caller: operator3 is dropped, operator1 hears the caller again.
      await a.getByTestId('consult-cancel').click();
      await expect.poll(() => state(b, 'data-call'), { timeout: 10_000 }).toBe('ended');
      await expect.poll(() => a.getByTestId('consult').count(), { timeout: 10_000 }).toBe(0);
      expect(await state(a, 'data-call')).toBe('active');
      const before = await inboundPackets(a);
      await expect.poll(() => inboundPackets(a), { timeout: 10_000 }).toBeGreaterThan(before + 50);
      const after = await pageApi<{ state: string }>(a, 'GET', `/api/calls/${callId}/consult`);
      expect(after.body.state).toBe('none');
      // Nothing to complete any more: refused, the call goes on.
      const stale = await pageApi(a, 'POST', `/api/calls/${callId}/consult/complete`, {});
      expect(stale.status).toBe(409);

      // Consult again and complete: the caller now talks with operator3.
      await chooseColleague(a, 'operator3');
      await a.getByTestId('transfer-consult').click();
      await expect.poll(() => state(b, 'data-call'), { timeout: 15_000 }).toBe('ringing');
      await b.getByTestId('softphone-answer').click();
      await expect
        .poll(() => a.getByTestId('consult').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('talking');
      await a.getByTestId('consult-complete').click();
      await expect.poll(() => state(a, 'data-call'), { timeout: 10_000 }).toBe('ended');
      expect(await state(b, 'data-call')).toBe('active');
      const beforeB = await inboundPackets(b);
      await expect.poll(() => inboundPackets(b), { timeout: 10_000 }).toBeGreaterThan(beforeB + 50);
      expect(ami.events.some((e) => e.Event === 'AttendedTransfer' && e.Result === 'Success')).toBe(
        true,
      );

      await b.getByTestId('softphone-hangup').click();
      expect(await call.done).toBe(0);

      // Still one call; operator1 had it until the transfer, operator3 from then on.
      const ended = await waitForEndedCall(api, callId);
      expect(ended.segments.map((s) => s.agent)).toEqual(['operator1', 'operator3']);
      const [first, second] = ended.segments;
      const gap = Date.parse(second!.startedAt) - Date.parse(first!.endedAt!);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThan(1000);
      expect(ended.talkSeconds).toBeCloseTo(first!.talkSeconds! + second!.talkSeconds!, 1);
    } catch (err) {
      await a.screenshot({ path: '/tmp/kcc-e2e-atxfer-a.png' }).catch(() => undefined);
      await b.screenshot({ path: '/tmp/kcc-e2e-atxfer-b.png' }).catch(() => undefined);
      throw err;
    } finally {
      for (const c of contexts) await c.close();
    }
  });

  it('three-way conference, mute and keypad', async () => {
    const { contexts, a, b, call, callId } = await answeredCall('77017770012');
    try {
      // Mute stops the microphone's audio; unmute brings it back.
      await a.getByTestId('softphone-mute').click();
      await expect.poll(() => state(a, 'data-muted'), { timeout: 5000 }).toBe('yes');
      expect(await microphoneEnabled(a)).toBe(false);
      await a.getByTestId('softphone-mute').click();
      await expect.poll(() => state(a, 'data-muted'), { timeout: 5000 }).toBe('no');
      expect(await microphoneEnabled(a)).toBe(true);

      // Keypad digits reach Asterisk on operator1's channel.
      await a.getByTestId('softphone-keypad').click();
      await a.getByTestId('keypad-4').click();
      await a.getByTestId('keypad-#').click();
      await expect.poll(() => a.getByTestId('keypad-sent').textContent()).toContain('4#');
      const digits = () =>
        ami.events
          .filter(
            (e) =>
              e.Event === 'DTMFEnd' &&
              e.Linkedid === callId &&
              e.Channel?.startsWith('PJSIP/operator1-') &&
              e.Direction === 'Received',
          )
          .map((e) => e.Digit)
          .join('');
      await expect.poll(digits, { timeout: 10_000 }).toBe('4#');

      // Add operator3: the call becomes a conference of three.
      await chooseColleague(a, 'operator3');
      await a.getByTestId('transfer-conference').click();
      await expect.poll(() => state(b, 'data-call'), { timeout: 15_000 }).toBe('ringing');
      // operator3's card names the same call.
      await b.getByTestId('softphone-answer').click();
      const parties = () =>
        a
          .getByTestId('conference-party')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-role')).sort());
      await expect.poll(parties, { timeout: 15_000 }).toEqual(['caller', 'me', 'party']);
      const beforeB = await inboundPackets(b);
      await expect.poll(() => inboundPackets(b), { timeout: 10_000 }).toBeGreaterThan(beforeB + 50);

      // Drop operator3: the conference goes on with the caller.
      await a.locator('[data-testid="conference-party"][data-role="party"] button').click();
      await expect.poll(() => state(b, 'data-call'), { timeout: 10_000 }).toBe('ended');
      await expect.poll(parties, { timeout: 10_000 }).toEqual(['caller', 'me']);
      const beforeA = await inboundPackets(a);
      await expect.poll(() => inboundPackets(a), { timeout: 10_000 }).toBeGreaterThan(beforeA + 50);

      // operator1 leaves: the caller is not left alone in the room; the call ends.
      await a.getByTestId('softphone-hangup').click();
      expect(await call.done).toBe(0);
      const ended = await waitForEndedCall(api, callId);
      expect(ended.segments.map((s) => s.agent)).toEqual(['operator1']);
    } catch (err) {
      await a.screenshot({ path: '/tmp/kcc-e2e-conf-a.png' }).catch(() => undefined);
      await b.screenshot({ path: '/tmp/kcc-e2e-conf-b.png' }).catch(() => undefined);
      throw err;
    } finally {
      for (const c of contexts) await c.close();
    }
  });

  it('losing the connection mid-call: the call goes on, the phone reconnects, hang-up works', async () => {
    const { contexts, a, call, callId } = await answeredCall('77017770013');
    try {
      // The console's SIP WebSocket runs through the controller: stopping it cuts the line.
      await controller.stop();
      await expect.poll(() => state(a, 'data-line'), { timeout: 15_000 }).toBe('reconnecting');
      await a.getByTestId('softphone-call-survives').waitFor({ timeout: 5000 });
      expect(await state(a, 'data-call')).toBe('active');
      // The audio flows between the browser and Asterisk directly: it goes on.
      const before = await inboundPackets(a);
      await expect.poll(() => inboundPackets(a), { timeout: 10_000 }).toBeGreaterThan(before + 50);

      await controller.start();
      await waitForPbx(api);
      await expect.poll(() => state(a, 'data-line'), { timeout: 30_000 }).toBe('registered');
      expect(await a.getByTestId('softphone-call-survives').count()).toBe(0);

      // Hanging up over the new connection ends the call in the PBX: the caller gets the BYE.
      await a.getByTestId('softphone-hangup').click();
      expect(await call.done).toBe(0);
      await expect.poll(() => state(a, 'data-call'), { timeout: 10_000 }).toBe('ended');
      const ended = await waitForEndedCall(api, callId);
      expect(ended.segments.map((s) => s.agent)).toEqual(['operator1']);
    } catch (err) {
      await a.screenshot({ path: '/tmp/kcc-e2e-ws-loss.png' }).catch(() => undefined);
      throw err;
    } finally {
      for (const c of contexts) await c.close();
    }
  });

  it('not ready for lunch from the console pauses the operator in every queue with that reason', async () => {
    const context = await newContext(browser);
    const page = await signInOperator(context, controller.url, 'operator1');
    try {
      await page.getByTestId('status-not-ready').click();
      await page.locator('[data-testid="status-reasons"] [data-reason="lunch"]').click();
      await expect
        .poll(() => page.getByTestId('status-control').getAttribute('data-status'), {
          timeout: 10_000,
        })
        .toBe('not_ready');
      // Asterisk's own QueueStatus: paused, reason lunch, in each of operator1's queues.
      await expect
        .poll(async () => (await queueMembers(env, 'operator1')).map((m) => [m.paused, m.reason]), {
          timeout: 10_000,
        })
        .toEqual([['1', 'lunch']]);
      await page.getByTestId('status-ready').click();
      await expect
        .poll(async () => (await queueMembers(env, 'operator1')).map((m) => m.paused), {
          timeout: 10_000,
        })
        .toEqual(['0']);
    } finally {
      await context.close();
    }
  });
});

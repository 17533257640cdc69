/**
 * The operator's softphone in a real browser (OP-32): the console registers the operator's WebRTC
 * endpoint through the controller's `/ws`, a caller placed by sipp reaches the queue, the browser
 * rings, the operator answers, audio flows both ways (the browser receives RTP: the caller's sipp
 * echoes the operator's fake microphone back), the caller card shows the call's facts from the
 * PBX, hold and resume reach Asterisk (Hold/Unhold on the operator's channel, music to the caller),
 * and hanging up in the browser ends the call in the PBX as well.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall } from '../support/sipp.js';
import { watchAmi, type AmiWatch } from '../support/ami.js';
import { inboundPackets, signInOperator, waitForEndedCall } from '../support/operator-page.js';

describe('softphone', () => {
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
    // Straight to the Kazakh queue, where operator1 (Kazakh only) is a member.
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

  const operatorPage = (context: BrowserContext, username: string) =>
    signInOperator(context, controller.url, username);

  it('rings, answers with two-way audio, and hangs up in the PBX too', async () => {
    const context = await newContext(browser);
    const page = await operatorPage(context, 'operator1');
    const phone = page.getByTestId('softphone');
    try {
      await expect
        .poll(() => phone.getAttribute('data-line'), { timeout: 15_000 })
        .toBe('registered');
      // The shortcuts are one key away.
      await page.keyboard.type('?');
      await page.getByTestId('keyboard-help').waitFor({ state: 'visible', timeout: 5000 });
      expect(await page.getByTestId('keyboard-help').textContent()).toContain('F8');
      await page.keyboard.press('Escape');
      await page.getByTestId('keyboard-help').waitFor({ state: 'hidden', timeout: 5000 });

      const call = await placeIvrCall({
        did: '193',
        callerId: '77017770001',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });

      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 20_000 }).toBe('ringing');
      expect(await page.getByTestId('softphone-remote').textContent()).toContain('77017770001');
      await page.getByTestId('softphone-answer').click();
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 10_000 }).toBe('active');
      await expect.poll(() => inboundPackets(page), { timeout: 15_000 }).toBeGreaterThan(50);

      // The PBX sees the call answered by this operator, and the card shows what the PBX knows.
      const live = await ok(
        api.get<{ items: Array<{ id: string; caller: string | null; state: string }> }>(
          '/api/calls/live',
        ),
      );
      const row = live.items.find((c) => c.caller === '77017770001');
      expect(row?.state).toBe('answered');
      const callId = row!.id;
      expect(await page.getByTestId('softphone-language').textContent()).toContain('Қазақша');
      // The IVR path the caller took (here straight to the queue node).
      expect((await page.getByTestId('softphone-ivr-path').textContent())?.trim()).toMatch(/: q$/);

      // Hold: Asterisk sees the operator's channel on hold (music to the caller), then back.
      const count = (event: string) =>
        ami.events.filter((e) => e.Event === event && e.Linkedid === callId).length;
      await page.getByTestId('softphone-hold').click();
      await expect.poll(() => phone.getAttribute('data-held'), { timeout: 10_000 }).toBe('yes');
      await expect.poll(() => count('Hold'), { timeout: 10_000 }).toBe(1);
      await page.getByTestId('softphone-hold').click();
      await expect.poll(() => phone.getAttribute('data-held'), { timeout: 10_000 }).toBe('no');
      await expect.poll(() => count('Unhold'), { timeout: 10_000 }).toBe(1);

      await page.getByTestId('softphone-hangup').click();
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 10_000 }).toBe('ended');
      // The ticket shortcut on the ended call carries the PBX's call id (X-KCC-Call).
      const ticketLink = page.getByTestId('softphone').locator('a[href*="tickets/new"]');
      expect(await ticketLink.getAttribute('href')).toContain(`call=${encodeURIComponent(callId)}`);
      // The caller got the PBX's BYE: its sipp ends normally.
      expect(await call.done).toBe(0);

      // The call's result, saved from the ended call's card.
      await page.getByTestId('disposition-result').selectOption('information_given');
      await page.getByTestId('disposition-save').click();
      await expect
        .poll(() => page.getByTestId('disposition-form').getAttribute('data-saved'), {
          timeout: 10_000,
        })
        .toBe('yes');
      const saved = await ok(
        api.get<{ items: Array<{ username: string; result: string }> }>(
          `/api/calls/${encodeURIComponent(callId)}/dispositions`,
        ),
      );
      expect(saved.items).toEqual([
        expect.objectContaining({ username: 'operator1', result: 'information_given' }),
      ]);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-softphone.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });

  it('transfers the caller blind to a colleague, who answers and talks with them', async () => {
    const contextA = await newContext(browser);
    const contextB = await newContext(browser);
    const pageA = await operatorPage(contextA, 'operator1');
    const pageB = await operatorPage(contextB, 'operator3');
    const phoneA = pageA.getByTestId('softphone');
    const phoneB = pageB.getByTestId('softphone');
    try {
      for (const phone of [phoneA, phoneB]) {
        await expect
          .poll(() => phone.getAttribute('data-line'), { timeout: 15_000 })
          .toBe('registered');
      }
      const call = await placeIvrCall({
        did: '193',
        callerId: '77017770002',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      // The queue may ring either or both: operator1 takes it as soon as it rings there.
      await expect
        .poll(() => phoneA.getAttribute('data-call'), { timeout: 30_000 })
        .toBe('ringing');
      await pageA.getByTestId('softphone-answer').click();
      await expect.poll(() => phoneA.getAttribute('data-call'), { timeout: 10_000 }).toBe('active');
      // operator1 talks with the caller (after the recording notice) before transferring.
      await expect.poll(() => inboundPackets(pageA), { timeout: 15_000 }).toBeGreaterThan(50);
      await expect
        .poll(() => phoneB.getAttribute('data-call'), { timeout: 10_000 })
        .not.toBe('ringing');

      // An offline colleague cannot be chosen; operator3 can.
      await pageA.getByTestId('softphone-transfer').click();
      const select = pageA.getByTestId('transfer-operator');
      await expect
        .poll(() => select.locator('option[value="operator3"]:not([disabled])').count(), {
          timeout: 10_000,
        })
        .toBe(1);
      expect(await select.locator('option[value="operator2"][disabled]').count()).toBe(1);
      await select.selectOption('operator3');
      await pageA.getByTestId('transfer-submit').click();

      await expect.poll(() => phoneA.getAttribute('data-call'), { timeout: 10_000 }).toBe('ended');
      await expect
        .poll(() => phoneB.getAttribute('data-call'), { timeout: 15_000 })
        .toBe('ringing');
      expect(await pageB.getByTestId('softphone-remote').textContent()).toContain('77017770002');
      await pageB.getByTestId('softphone-answer').click();
      await expect.poll(() => phoneB.getAttribute('data-call'), { timeout: 10_000 }).toBe('active');
      await expect.poll(() => inboundPackets(pageB), { timeout: 15_000 }).toBeGreaterThan(50);

      // Still one call in the PBX, answered, now with operator3.
      const live = await ok(
        api.get<{ items: Array<{ id: string; caller: string | null }> }>('/api/calls/live'),
      );
      expect(live.items.filter((c) => c.caller === '77017770002')).toHaveLength(1);

      await pageB.getByTestId('softphone-hangup').click();
      expect(await call.done).toBe(0);

      // One call, with a segment per operator: each their own talk time, not the whole
      // conversation credited to the first.
      const callId = live.items.find((c) => c.caller === '77017770002')!.id;
      const ended = await waitForEndedCall(api, callId);
      expect(ended.segments.map((s) => s.agent)).toEqual(['operator1', 'operator3']);
      const [first, second] = ended.segments;
      expect(first!.endedAt! <= second!.startedAt).toBe(true);
      expect(first!.talkSeconds).toBeGreaterThan(0);
      expect(second!.talkSeconds).toBeGreaterThan(0);
      expect(ended.talkSeconds).toBeCloseTo(first!.talkSeconds! + second!.talkSeconds!, 1);
    } catch (err) {
      await pageA.screenshot({ path: '/tmp/kcc-e2e-transfer-a.png' }).catch(() => undefined);
      await pageB.screenshot({ path: '/tmp/kcc-e2e-transfer-b.png' }).catch(() => undefined);
      throw err;
    } finally {
      await contextA.close();
      await contextB.close();
    }
  });

  it('with dispositions required, the next call waits until the last one has its result', async () => {
    await ok(api.put('/api/dispositions/settings', { required: true }), 'require dispositions');
    const context = await newContext(browser);
    const page = await operatorPage(context, 'operator1');
    const phone = page.getByTestId('softphone');
    try {
      await expect
        .poll(() => phone.getAttribute('data-line'), { timeout: 15_000 })
        .toBe('registered');
      const first = await placeIvrCall({
        did: '193',
        callerId: '77017770004',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 20_000 }).toBe('ringing');
      await page.getByTestId('softphone-answer').click();
      await expect.poll(() => inboundPackets(page), { timeout: 15_000 }).toBeGreaterThan(50);
      await page.getByTestId('softphone-hangup').click();
      expect(await first.done).toBe(0);

      // The next caller is offered to this console (after the after-call work time), which
      // answers Busy at once (no result saved yet): the queue counts it as not answered.
      const second = await placeIvrCall({
        did: '193',
        callerId: '77017770005',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      // Refused at once: the offer ended within a second of the dial, without ringing here.
      const refused = () =>
        ami.events.some((end) => {
          if (
            end.Event !== 'DialEnd' ||
            !end.DestChannel?.startsWith('PJSIP/operator1-') ||
            end.CallerIDNum !== '77017770005' ||
            end.DialStatus === 'ANSWER'
          ) {
            return false;
          }
          const begin = ami.events.find(
            (e) => e.Event === 'DialBegin' && e.DestChannel === end.DestChannel,
          );
          return Number(end.Timestamp) - Number(begin?.Timestamp ?? 0) < 1;
        });
      await expect.poll(refused, { timeout: 45_000 }).toBe(true);
      expect(await phone.getAttribute('data-call')).toBe('ended');

      // The result saved, the waiting caller rings here.
      await page.getByTestId('disposition-result').selectOption('resolved');
      await page.getByTestId('disposition-save').click();
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 30_000 }).toBe('ringing');
      expect(await page.getByTestId('softphone-remote').textContent()).toContain('77017770005');
      await page.getByTestId('softphone-answer').click();
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 10_000 }).toBe('active');
      await page.getByTestId('softphone-hangup').click();
      expect(await second.done).toBe(0);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-disposition.png' }).catch(() => undefined);
      throw err;
    } finally {
      await api.put('/api/dispositions/settings', { required: false });
      await context.close();
    }
  });
});

/**
 * Calling out from the operator's console (OP-32): an outside number through the carrier trunk
 * with the caller ID of the chosen service number, a colleague name that does not exist, a
 * number that is no number, and a second call while a caller waits on hold. The called party is
 * a sipp phone behind the trunk's outbound address.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall, startBranch } from '../support/sipp.js';
import { watchAmi, type AmiWatch } from '../support/ami.js';
import { inboundPackets, signInOperator } from '../support/operator-page.js';

interface CallRow {
  id: string;
  direction: string;
  caller: string | null;
  agent: string | null;
  state: string;
  talkSeconds: number | null;
  recordingPath: string | null;
  service: string | null;
}

describe('calling out from the console', () => {
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
    await publishFlow(api, 'to-kk', { start: 'q', nodes: { q: { type: 'queue', queue: 'kk' } } });
    await routeServices(api, 'to-kk');
    browser = await launchBrowser();
    ami = await watchAmi(env);
  });

  afterAll(async () => {
    ami?.close();
    await browser?.close();
    await api.put('/api/trunks/carrier', { matchAddresses: ['127.0.0.1'], outboundUri: null });
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  const phone = (page: Page, attribute: string) =>
    page.getByTestId('softphone').getAttribute(attribute);

  /** The outbound leg Asterisk created towards the carrier for `number`. */
  const carrierLeg = (number: string) =>
    ami.events.find(
      (e) =>
        e.Event === 'DialBegin' &&
        e.DestChannel?.startsWith('PJSIP/carrier-') &&
        e.DestExten === number,
    );

  async function callRow(number: string): Promise<CallRow> {
    let row: CallRow | undefined;
    await expect
      .poll(
        async () => {
          const list = await ok(api.get<{ items: CallRow[] }>('/api/calls'));
          row = list.items.find((c) => c.direction === 'outbound' && c.caller === number);
          return row?.state;
        },
        { timeout: 15_000 },
      )
      .toBe('ended');
    return row!;
  }

  it('calls an outside number with the service’s caller ID; refuses what cannot be dialled', async () => {
    const branch = await startBranch({ ringMs: 300, talkMs: 4000, calls: 1 });
    await ok(
      api.put('/api/trunks/carrier', {
        matchAddresses: ['127.0.0.1'],
        outboundUri: `sip:127.0.0.1:${branch.port}`,
      }),
      'trunk',
    );
    await ok(
      api.put('/api/services/193/outbound-caller-id', { callerId: '77172000193' }),
      'caller id',
    );
    const context = await newContext(browser);
    const page = await signInOperator(context, controller.url, 'operator1');
    try {
      await expect.poll(() => phone(page, 'data-line'), { timeout: 15_000 }).toBe('registered');

      // Not a number: said at once, nothing dialled.
      await page.getByTestId('dial-input').fill('12');
      await page.getByTestId('dial-submit').click();
      await expect(page.getByTestId('dial-error').textContent()).resolves.toContain('12');
      expect(await phone(page, 'data-call')).toBe('none');

      // A colleague who does not exist: the PBX says 404, the console says what that means.
      await page.getByTestId('dial-input').fill('nosuchcolleague');
      await page.getByTestId('dial-submit').click();
      await expect.poll(() => phone(page, 'data-call'), { timeout: 10_000 }).toBe('ended');
      expect(await page.getByTestId('softphone-end-problem').getAttribute('data-problem')).toBe(
        'not_found',
      );

      // An outside number for service 193: the branch phone answers and talks.
      await page.getByTestId('dial-input').fill('+7 701 777 00 21');
      await page.getByTestId('dial-service').selectOption('193');
      await page.getByTestId('dial-submit').click();
      await expect.poll(() => phone(page, 'data-call'), { timeout: 15_000 }).toBe('active');
      await expect.poll(() => inboundPackets(page), { timeout: 15_000 }).toBeGreaterThan(50);
      // The PBX dialled the number as digits, and the called party sees 193's caller ID.
      expect(carrierLeg('77017770021')).toBeDefined();
      expect(branch.events()).toContain('from 77172000193');
      // The branch hangs up after talking.
      await expect.poll(() => phone(page, 'data-call'), { timeout: 15_000 }).toBe('ended');
      expect(await branch.done, branch.output()).toBe(0);

      const row = await callRow('77017770021');
      expect(row).toMatchObject({ agent: 'operator1', service: '193' });
      expect(row.talkSeconds).toBeGreaterThan(2);
      expect(row.recordingPath).toMatch(/\.wav$/);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-dial.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
      await branch.stop();
    }
  });

  it('places a second call while the caller waits on hold, then goes back to them', async () => {
    const branch = await startBranch({ ringMs: 300, talkMs: 60_000, calls: 1 });
    await ok(
      api.put('/api/trunks/carrier', {
        matchAddresses: ['127.0.0.1'],
        outboundUri: `sip:127.0.0.1:${branch.port}`,
      }),
      'trunk',
    );
    const context = await newContext(browser);
    const page = await signInOperator(context, controller.url, 'operator1');
    try {
      await expect.poll(() => phone(page, 'data-line'), { timeout: 15_000 }).toBe('registered');
      const caller = await placeIvrCall({
        did: '193',
        callerId: '77017770031',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      await expect.poll(() => phone(page, 'data-call'), { timeout: 30_000 }).toBe('ringing');
      await page.getByTestId('softphone-answer').click();
      await expect.poll(() => inboundPackets(page), { timeout: 15_000 }).toBeGreaterThan(50);

      // A second call needs the first on hold.
      await page.getByTestId('dial-input').waitFor({ state: 'hidden' });
      await page.getByTestId('softphone-hold').click();
      await expect.poll(() => phone(page, 'data-held'), { timeout: 10_000 }).toBe('yes');
      await page.getByTestId('dial-input').fill('87272000000');
      await page.getByTestId('dial-submit').click();
      await expect.poll(() => phone(page, 'data-parked')).toBe('yes');
      await expect.poll(() => phone(page, 'data-call'), { timeout: 15_000 }).toBe('active');
      expect(await phone(page, 'data-direction')).toBe('outbound');
      // The caller still waits on hold in the PBX meanwhile.
      expect(
        ami.events.filter((e) => e.Event === 'Hold' && e.Channel?.startsWith('PJSIP/operator1-'))
          .length,
      ).toBeGreaterThan(0);

      // The second call ends: the held caller is back, still on hold; resume talks again.
      await page.getByTestId('softphone-hangup').click();
      await expect.poll(() => phone(page, 'data-parked'), { timeout: 10_000 }).toBe('no');
      expect(await phone(page, 'data-call')).toBe('active');
      expect(await phone(page, 'data-direction')).toBe('inbound');
      expect(await phone(page, 'data-held')).toBe('yes');
      await page.getByTestId('softphone-hold').click();
      await expect.poll(() => phone(page, 'data-held'), { timeout: 10_000 }).toBe('no');
      const before = await inboundPackets(page);
      await expect
        .poll(() => inboundPackets(page), { timeout: 10_000 })
        .toBeGreaterThan(before + 50);
      await page.getByTestId('softphone-hangup').click();
      expect(await caller.done).toBe(0);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-second-call.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
      await branch.stop();
    }
  });
});

/**
 * The operator's softphone in a real browser (OP-32): the console registers the operator's WebRTC
 * endpoint through the controller's `/ws`, a caller placed by sipp reaches the queue, the browser
 * rings, the operator answers, audio flows both ways (the browser receives RTP: the caller's sipp
 * echoes the operator's fake microphone back), and hanging up in the browser ends the call in the
 * PBX as well.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall } from '../support/sipp.js';

const PASSWORD = 'demo-kcc-2026';

/** Keeps every RTCPeerConnection the page makes, so the test can read its getStats(). */
const RECORD_PEERS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__kccPeers = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__kccPeers.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();`;

/** Audio RTP packets the page has received, over all its peer connections. */
async function inboundPackets(page: Page): Promise<number> {
  return page.evaluate<number>(`(async () => {
    let packets = 0;
    for (const pc of window.__kccPeers) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived || 0;
      });
    }
    return packets;
  })()`);
}

describe('softphone', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;
  let api: Api;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
    await waitForPbx(api);
    // Straight to the Kazakh queue, where operator1 (Kazakh only) is a member.
    await publishFlow(api, 'to-kk', { start: 'q', nodes: { q: { type: 'queue', queue: 'kk' } } });
    await routeServices(api, 'to-kk');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  async function operatorPage(context: BrowserContext, username: string): Promise<Page> {
    await context.addInitScript(RECORD_PEERS);
    const page = await context.newPage();
    await page.goto(controller.url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-password').press('Enter');
    await page.waitForURL(/#\/operator/, { timeout: 15_000 });
    // Going Ready, where the console has statuses.
    const ready = page.getByTestId('status-ready');
    if (await ready.count()) await ready.click();
    return page;
  }

  it('rings, answers with two-way audio, and hangs up in the PBX too', async () => {
    const context = await newContext(browser);
    const page = await operatorPage(context, 'operator1');
    const phone = page.getByTestId('softphone');
    try {
      await expect
        .poll(() => phone.getAttribute('data-line'), { timeout: 15_000 })
        .toBe('registered');
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

      // The PBX sees the call answered by this operator.
      const live = await ok(
        api.get<{ items: Array<{ caller: string | null; state: string }> }>('/api/calls/live'),
      );
      expect(live.items.find((c) => c.caller === '77017770001')?.state).toBe('answered');

      await page.getByTestId('softphone-hangup').click();
      await expect.poll(() => phone.getAttribute('data-call'), { timeout: 10_000 }).toBe('ended');
      // The caller got the PBX's BYE: its sipp ends normally.
      expect(await call.done).toBe(0);
    } catch (err) {
      await page.screenshot({ path: '/tmp/kcc-e2e-softphone.png' }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });
});

/**
 * Never ring a dead console (OP-32 item 8): a browser tab that stops running (frozen through the
 * DevTools protocol, as Chrome does to background tabs) stops answering Asterisk's OPTIONS pings;
 * within 15 s its operator is paused as unreachable and a call placed then rings another
 * operator. Unfrozen, the console answers again and its operator is offered calls again.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall } from '../support/sipp.js';

const PASSWORD = 'demo-kcc-2026';

interface Floor {
  items: Array<{ username: string; status: string; unreachable: boolean }>;
}

describe('frozen console', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let browser: Browser;
  let api: Api;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
    await waitForPbx(api);
    await publishFlow(api, 'to-kk', { start: 'q', nodes: { q: { type: 'queue', queue: 'kk' } } });
    await routeServices(api, 'to-kk');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  async function readyOperator(context: BrowserContext, username: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(controller.url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-password').press('Enter');
    await page.waitForURL(/#\/operator/, { timeout: 15_000 });
    await expect
      .poll(() => page.getByTestId('softphone').getAttribute('data-line'), { timeout: 15_000 })
      .toBe('registered');
    await page.getByTestId('status-ready').click();
    await expect
      .poll(() => page.getByTestId('status-control').getAttribute('data-status'), {
        timeout: 10_000,
      })
      .toBe('ready');
    return page;
  }

  async function floorOf(username: string) {
    const floor = await ok(api.get<Floor>('/api/agents'));
    return floor.items.find((a) => a.username === username);
  }

  it('pauses a frozen console within 15 s, rings another operator, and takes it back when it runs again', async () => {
    const contextA = await newContext(browser);
    const contextB = await newContext(browser);
    const pageA = await readyOperator(contextA, 'operator1');
    const pageB = await readyOperator(contextB, 'operator3');
    try {
      // What Chrome does to a background tab. A headless page is never hidden, and there the
      // frozen state alone still lets WebSocket messages run the page's handlers; stopping its
      // script thread in the debugger makes it as dead as a frozen tab really is.
      const cdp = await contextA.newCDPSession(pageA);
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      await cdp.send('Debugger.enable');
      await cdp.send('Debugger.pause');
      const frozenAt = Date.now();
      await expect
        .poll(async () => (await floorOf('operator1'))?.unreachable, { timeout: 15_000 })
        .toBe(true);
      expect(Date.now() - frozenAt).toBeLessThan(15_000);
      expect((await floorOf('operator3'))?.status).toBe('ready');

      // A call now rings the operator whose console runs.
      const call = await placeIvrCall({
        did: '193',
        callerId: '77017770003',
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      const phoneB = pageB.getByTestId('softphone');
      await expect
        .poll(() => phoneB.getAttribute('data-call'), { timeout: 20_000 })
        .toBe('ringing');
      await pageB.getByTestId('softphone-answer').click();
      await expect.poll(() => phoneB.getAttribute('data-call'), { timeout: 10_000 }).toBe('active');
      await pageB.getByTestId('softphone-hangup').click();
      expect(await call.done).toBe(0);

      // Running again: the console answers the pings and the operator is back as they were.
      await cdp.send('Debugger.resume');
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await expect
        .poll(async () => (await floorOf('operator1'))?.unreachable, { timeout: 20_000 })
        .toBe(false);
      expect((await floorOf('operator1'))?.status).toBe('ready');
    } catch (err) {
      await pageB.screenshot({ path: '/tmp/kcc-e2e-frozen-b.png' }).catch(() => undefined);
      throw err;
    } finally {
      await contextA.close();
      await contextB.close();
    }
  });
});

/**
 * Restarting the controller does not touch calls in progress (Asterisk carries them), and when it
 * is back every call is listed exactly once, including one that arrived while it was down.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, waitForPbx } from '../support/controller.js';
import { asteriskCli, TEST_PORTS } from '../support/lab.js';
import { placeCall } from '../support/sipp.js';
import { restoreMainFlow, usePatientFlow } from '../support/flows.js';
import { waitFor } from '../support/wait.js';

interface Call {
  id: string;
  caller: string | null;
  service: string | null;
  state: string;
}

describe('controller restart', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
    // Calls that stay in the IVR for minutes: a menu that waits long for a digit.
    await usePatientFlow(api);
  });

  afterAll(async () => {
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  it('keeps calls up across a restart and lists each once', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const listMine = async (callers: string[]) => {
      const r = await api.get<{ items: Call[] }>(`/api/calls?from=${encodeURIComponent(since)}`);
      return r.body.items.filter((c) => c.caller !== null && callers.includes(c.caller));
    };
    await waitForPbx(api);
    const before = ['77012220001', '77012220002'];
    const calls = await Promise.all(
      before.map((caller, i) =>
        placeCall({
          did: i === 0 ? '193' : '87272581500',
          callerId: caller,
          pbxPort: TEST_PORTS.sip,
          holdMs: 25_000,
        }),
      ),
    );
    await waitFor('both calls answered', async () => {
      const mine = await listMine(before);
      return mine.length === 2 && mine.every((c) => c.state === 'answered') ? mine : undefined;
    });

    expect(await controller.stop()).toBe(0);
    // A call that arrives while the controller is down.
    const during = await placeCall({
      did: '88000800193',
      callerId: '77012220003',
      pbxPort: TEST_PORTS.sip,
      holdMs: 15_000,
    });
    calls.push(during);
    await waitFor('the call to be up in Asterisk', async () => {
      const out = await asteriskCli('core show channels concise');
      return out.includes('77012220003') ? true : undefined;
    });

    await controller.start();
    api.cookie = null;
    await api.login('admin', env.adminPassword);
    const all = ['77012220001', '77012220002', '77012220003'];
    const listed = await waitFor('all three calls listed after the restart', async () => {
      const mine = await listMine(all);
      return mine.length === 3 ? mine : undefined;
    });
    expect(new Set(listed.map((c) => c.id)).size).toBe(3);
    expect(listed.map((c) => c.state)).toEqual(['answered', 'answered', 'answered']);
    expect(listed.find((c) => c.caller === '77012220003')?.service).toBe('88000800193');

    // The calls ran their full length: sipp got 200 OK to its own BYE.
    const codes = await Promise.all(calls.map((c) => c.done));
    expect(codes, calls.map((c) => c.output()).join('\n')).toEqual([0, 0, 0]);
    const ended = await waitFor('the calls to end once each', async () => {
      const mine = await listMine(all);
      return mine.every((c) => c.state === 'ended') ? mine : undefined;
    });
    expect(ended).toHaveLength(3);
  });
});

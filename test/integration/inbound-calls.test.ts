/**
 * Real carrier-side calls (sipp) to the three service numbers of SVC-1, each in another written
 * form, become one row each in GET /api/calls with the right service.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, waitForPbx } from '../support/controller.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeCall } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

interface Call {
  id: string;
  did: string | null;
  service: string | null;
  caller: string | null;
  state: string;
  answeredAt: string | null;
  endedAt: string | null;
}

describe('inbound calls', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('supervisor1', 'demo-kcc-2026');
    await waitForPbx(api);
  });

  afterAll(async () => {
    await controller.stop();
  });

  it('records a call to each service number, whatever form the DID arrives in', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const dialled = [
      { did: '193', caller: '77011110001', service: '193' },
      { did: '88000800193', caller: '77011110002', service: '88000800193' },
      { did: '+77272581500', caller: '77011110003', service: '77272581500' },
    ];
    const calls = await Promise.all(
      dialled.map((d) =>
        placeCall({ did: d.did, callerId: d.caller, pbxPort: TEST_PORTS.sip, holdMs: 3000 }),
      ),
    );

    const answered = await waitFor('three answered calls in /api/calls', async () => {
      const r = await api.get<{ items: Call[] }>(`/api/calls?from=${encodeURIComponent(since)}`);
      const mine = r.body.items.filter((c) => dialled.some((d) => d.caller === c.caller));
      return mine.length === 3 && mine.every((c) => c.answeredAt) ? mine : undefined;
    });
    for (const d of dialled) {
      const row = answered.find((c) => c.caller === d.caller);
      expect(row, `call from ${d.caller}`).toBeDefined();
      expect(row!.service).toBe(d.service);
      expect(row!.did).toBe(d.service);
    }

    const codes = await Promise.all(calls.map((c) => c.done));
    expect(codes, calls.map((c) => c.output()).join('\n')).toEqual([0, 0, 0]);

    const ended = await waitFor('the three calls to end', async () => {
      const r = await api.get<{ items: Call[] }>(`/api/calls?from=${encodeURIComponent(since)}`);
      const mine = r.body.items.filter((c) => dialled.some((d) => d.caller === c.caller));
      return mine.every((c) => c.state === 'ended' && c.endedAt) ? mine : undefined;
    });
    expect(new Set(ended.map((c) => c.id)).size).toBe(3);
  });

  it('refuses a number that is not a service of the center', async () => {
    const call = await placeCall({
      did: '194',
      callerId: '77011110009',
      pbxPort: TEST_PORTS.sip,
      holdMs: 1000,
    });
    const code = await call.done;
    // The PBX answers "unallocated number" instead of 200 OK, so the scenario fails.
    expect(code).not.toBe(0);
    const r = await api.get<{ items: Call[] }>('/api/calls');
    expect(r.body.items.find((c) => c.caller === '77011110009')?.service ?? null).toBeNull();
  });
});

/**
 * A mixed batch of 50 real calls: every call ends with exactly one outcome, and the counts the
 * API reports add up to the calls sipp placed (RPT-29: total = operator + ivr + missed).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall, startOperator, type SippCall, type SippOperator } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

interface Call {
  caller: string | null;
  state: string;
  outcome: string | null;
}
interface Sla {
  offered: number;
  answered: number;
  completedInIvr: number;
  missed: number;
}

const OPERATORS = ['batch-op1', 'batch-op2', 'batch-op3'];
const PASSWORD = 'batch-operator-Pa55';
const ALWAYS_OPEN = {
  workday: { open: '00:00', close: '24:00' },
  dayOff: { open: '00:00', close: '24:00' },
};

describe('a batch of 50 calls', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;
  const phones: SippOperator[] = [];

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
    await waitForPbx(api);
    // No after-call work: each phone takes its next call at once.
    await ok(api.put('/api/agents/settings', { acwSeconds: 0 }), 'no after-call work');
    await ok(api.put('/api/calendar/hours', ALWAYS_OPEN), 'hours');
    for (const username of OPERATORS) {
      const r = await api.post('/api/users', {
        username,
        displayName: username,
        password: PASSWORD,
        role: 'operator',
        languages: ['kk', 'ru'],
        phoneType: 'sip',
      });
      if (r.status !== 201 && r.status !== 409)
        throw new Error(`create ${username}: ${r.status} ${r.text}`);
      const own = new Api(controller.url, caOf(env));
      await own.login(username, PASSWORD);
      // Signing in leaves an operator Not ready (OP-32): these take calls.
      await ok(own.put('/api/agents/me/status', { status: 'ready' }), `${username} ready`);
      const { sipPassword } = await ok(
        own.get<{ sipPassword: string }>('/api/softphone'),
        'softphone',
      );
      const phone = await startOperator({
        username,
        password: sipPassword,
        pbxPort: TEST_PORTS.sip,
        ringMs: 300,
        talkMs: 1000,
        calls: 20,
        timeoutS: 170,
      });
      phones.push(phone);
      await phone.registered;
    }
    await publishFlow(api, 'direct', { start: 'q', nodes: { q: { type: 'queue', queue: 'ru' } } });
    await publishFlow(api, 'info', {
      start: 'm',
      nodes: { m: { type: 'message', prompt: 'goodbye' } },
    });
    await routeServices(api, 'direct', ['193']);
    await routeServices(api, 'info', ['88000800193']);
    await routeServices(api, 'main', ['77272581500']);
  });

  afterAll(async () => {
    for (const p of phones) await p.stop();
    await restoreMainFlow(api).catch(() => undefined);
    await api.put('/api/agents/settings', { acwSeconds: 15 }).catch(() => undefined);
    await controller.stop();
  });

  it(
    'counts each call once: operator + ivr + missed = calls placed',
    { timeout: 240_000 },
    async () => {
      const before = await ok(api.get<Sla>('/api/sla/today'), 'sla');
      const stamp = String(Date.now()).slice(-5);
      const plan = [
        ...Array.from({ length: 20 }, (_, i) => ({
          caller: `7704${stamp}0${String(i).padStart(2, '0')}`,
          did: '193',
          expect: 'operator',
        })),
        ...Array.from({ length: 15 }, (_, i) => ({
          caller: `7704${stamp}1${String(i).padStart(2, '0')}`,
          did: '88000800193',
          expect: 'ivr',
        })),
        ...Array.from({ length: 15 }, (_, i) => ({
          caller: `7704${stamp}2${String(i).padStart(2, '0')}`,
          did: '77272581500',
          expect: 'missed',
        })),
      ];
      // Interleave the three kinds and start ten calls a second.
      const order = plan
        .map((p, i) => ({ p, k: (i % 20) * 3 + Math.floor(i / 20) }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.p);
      const calls: SippCall[] = [];
      for (const [i, p] of order.entries()) {
        // Pacing the load (ten new calls a second), not waiting for an event.
        if (i > 0 && i % 10 === 0) await delay(1000);
        await waitFor('the next second', () => undefined, 1000, 1000).catch(() => undefined);
        calls.push(
          await placeIvrCall({
            did: p.did,
            callerId: p.caller,
            pbxPort: TEST_PORTS.sip,
            steps: [],
            ...(p.expect === 'missed' ? { hangupAfterMs: 1000 } : {}),
            timeoutS: 150,
          }),
        );
      }
      const codes = await Promise.all(calls.map((c) => c.done));
      expect(
        codes.filter((c) => c !== 0),
        calls
          .filter((_, i) => codes[i] !== 0)
          .map((c) => c.output())
          .join('\n'),
      ).toEqual([]);

      const callers = new Set(plan.map((p) => p.caller));
      const mine = await waitFor(
        'all 50 calls ended with an outcome',
        async () => {
          const r = await api.get<{ items: Call[] }>('/api/calls?limit=5000');
          const list = r.body.items.filter((c) => c.caller !== null && callers.has(c.caller));
          return list.length === 50 && list.every((c) => c.state === 'ended' && c.outcome)
            ? list
            : undefined;
        },
        30_000,
        500,
      );
      for (const p of plan) {
        expect(`${p.caller} ${mine.find((c) => c.caller === p.caller)?.outcome}`).toBe(
          `${p.caller} ${p.expect}`,
        );
      }

      const after = await ok(api.get<Sla>('/api/sla/today'), 'sla');
      expect({
        offered: after.offered - before.offered,
        answered: after.answered - before.answered,
        completedInIvr: after.completedInIvr - before.completedInIvr,
        missed: after.missed - before.missed,
      }).toEqual({ offered: 50, answered: 20, completedInIvr: 15, missed: 15 });
      expect(after.answered + after.completedInIvr + after.missed).toBe(after.offered);
    },
  );
});

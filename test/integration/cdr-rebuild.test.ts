/**
 * Calls that start and end while the controller is stopped are rebuilt from Asterisk's CDR and
 * queue_log when it comes back: each once, with the outcome the dialplan decided (missed in the
 * IVR, completed in the IVR with a callback request, or answered by an operator, whose wait and
 * talk time come from queue_log).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, ok } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { TEST_PORTS } from '../support/lab.js';
import { placeIvrCall, startOperator, type SippOperator } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

interface Call {
  id: string;
  caller: string | null;
  state: string;
  outcome: string | null;
  language: string | null;
  callbackRequested: boolean;
  service: string | null;
  agent: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
}

const CLOSED = {
  workday: { open: '00:00', close: '00:00' },
  dayOff: { open: '00:00', close: '00:00' },
};

describe('calls while the controller is down', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;
  let hoursBefore: unknown;
  const prompt = new Map<string, number>();
  let phone: SippOperator | undefined;

  async function signIn(): Promise<void> {
    api = new Api(controller.url, caOf(env));
    await api.login('admin', env.adminPassword);
  }

  beforeAll(async () => {
    await controller.start();
    await signIn();
    await restoreMainFlow(api);
    hoursBefore = (await api.get<{ hours: unknown }>('/api/calendar')).body.hours;
    const prompts = await api.get<{
      items: Array<{ name: string; active: boolean; durationSeconds: number }>;
    }>('/api/prompts');
    for (const p of prompts.body.items)
      if (p.active) prompt.set(p.name, Math.max(prompt.get(p.name) ?? 0, p.durationSeconds));
    expect((await api.put('/api/calendar/hours', CLOSED)).status).toBe(200);
    // Two numbers go straight to an operator's queue (no hours check), answered by a SIP phone.
    const created = await api.post('/api/users', {
      username: 'cdr-op',
      displayName: 'cdr-op',
      password: 'cdr-operator-Pa55',
      role: 'operator',
      languages: ['kk', 'ru'],
      phoneType: 'sip',
    });
    expect([201, 409]).toContain(created.status);
    const own = new Api(controller.url, caOf(env));
    await own.login('cdr-op', 'cdr-operator-Pa55');
    // Signing in leaves an operator Not ready (OP-32): this one takes calls.
    await ok(own.put('/api/agents/me/status', { status: 'ready' }), 'cdr-op ready');
    const { sipPassword } = await ok(
      own.get<{ sipPassword: string }>('/api/softphone'),
      'softphone',
    );
    phone = await startOperator({
      username: 'cdr-op',
      password: sipPassword,
      pbxPort: TEST_PORTS.sip,
      ringMs: 300,
      talkMs: 6000,
      calls: 2,
    });
    await phone.registered;
    await publishFlow(api, 'direct', { start: 'q', nodes: { q: { type: 'queue', queue: 'ru' } } });
    await routeServices(api, 'direct', ['77272581500']);
  });

  afterAll(async () => {
    await phone?.stop();
    // Put the hours back, starting the controller again if the test left it stopped.
    if (!controller.running) await controller.start().catch(() => undefined);
    await signIn().catch(() => undefined);
    await api.put('/api/calendar/hours', hoursBefore).catch(() => undefined);
    await restoreMainFlow(api).catch(() => undefined);
    await controller.stop();
  });

  it('rebuilds twelve calls from the CDR and queue_log, each once, with the right outcomes', async () => {
    const ms = (name: string) => Math.round((prompt.get(name) ?? 5) * 1000);
    expect(await controller.stop()).toBe(0);
    const stamp = String(Date.now()).slice(-5);
    const quitters = Array.from({ length: 5 }, (_, i) => `7703${stamp}1${i}`);
    const callbacks = Array.from({ length: 5 }, (_, i) => `7703${stamp}2${i}`);
    const answered = Array.from({ length: 2 }, (_, i) => `7703${stamp}3${i}`);
    const calls = await Promise.all([
      ...quitters.map((caller) =>
        placeIvrCall({
          did: '193',
          callerId: caller,
          pbxPort: TEST_PORTS.sip,
          steps: [],
          hangupAfterMs: 1000,
        }),
      ),
      ...answered.map((caller) =>
        placeIvrCall({ did: '77272581500', callerId: caller, pbxPort: TEST_PORTS.sip, steps: [] }),
      ),
      ...callbacks.map((caller) =>
        placeIvrCall({
          did: '88000800193',
          callerId: caller,
          pbxPort: TEST_PORTS.sip,
          steps: [
            { waitMs: ms('greeting') + 700, dtmf: '2' },
            { waitMs: ms('after-hours') + 1000, dtmf: '1' },
          ],
        }),
      ),
    ]);
    const codes = await Promise.all(calls.map((c) => c.done));
    expect(codes, calls.map((c) => c.output()).join('\n')).toEqual(Array(12).fill(0));

    await controller.start();
    await signIn();
    const all = [...quitters, ...callbacks, ...answered];
    const rebuilt = await waitFor(
      'the twelve calls rebuilt from the CDR',
      async () => {
        const r = await api.get<{ items: Call[] }>('/api/calls');
        const mine = r.body.items.filter((c) => c.caller !== null && all.includes(c.caller));
        return mine.length === 12 && mine.every((c) => c.state === 'ended') ? mine : undefined;
      },
      20_000,
    );
    expect(new Set(rebuilt.map((c) => c.id)).size).toBe(12);
    // The operator's side comes from queue_log: who answered, after how long, and for how long.
    for (const c of rebuilt.filter((x) => answered.includes(x.caller!))) {
      expect(c).toMatchObject({ outcome: 'operator', agent: 'cdr-op', service: '77272581500' });
      expect(c.waitSeconds).not.toBeNull();
      // The phone hangs up 6 s after answering; the recording notice (about 2 s) comes first.
      expect(c.talkSeconds).toBeGreaterThanOrEqual(3);
    }
    for (const c of rebuilt.filter((x) => quitters.includes(x.caller!))) {
      expect(c).toMatchObject({ outcome: 'missed', service: '193', callbackRequested: false });
    }
    for (const c of rebuilt.filter((x) => callbacks.includes(x.caller!))) {
      expect(c).toMatchObject({
        outcome: 'ivr',
        service: '88000800193',
        language: 'ru',
        callbackRequested: true,
      });
    }
    const cb = await api.get<{ items: Array<{ number: string }> }>('/api/callbacks');
    expect(cb.body.items.filter((x) => callbacks.includes(x.number))).toHaveLength(5);

    // A second restart reads nothing twice.
    expect(await controller.stop()).toBe(0);
    await controller.start();
    await signIn();
    const again = await api.get<{ items: Call[] }>('/api/calls');
    expect(
      again.body.items.filter((c) => c.caller !== null && all.includes(c.caller)),
    ).toHaveLength(12);
  });
});

/**
 * The inbound call path end to end: real carrier-side callers (sipp) that press keys and hang up
 * at chosen points, operators as SIP phones (sipp) registered to their endpoints, the shipped
 * flow compiled into Asterisk's dialplan, and the facts the controller records for each call.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { watchAmi, type AmiWatch } from '../support/ami.js';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { publishFlow, restoreMainFlow, routeServices } from '../support/flows.js';
import { asteriskCli, TEST_PORTS } from '../support/lab.js';
import { placeIvrCall, startBranch, startOperator, type SippOperator } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

interface Call {
  id: string;
  caller: string | null;
  service: string | null;
  state: string;
  outcome: string | null;
  language: string | null;
  ivrPath: string | null;
  queue: string | null;
  agent: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  callbackRequested: boolean;
  recordingPath: string | null;
}

const ALWAYS_OPEN = {
  workday: { open: '00:00', close: '24:00' },
  dayOff: { open: '00:00', close: '24:00' },
};
const OPERATOR_PASSWORD = 'sip-operator-Pa55';

describe('inbound call path', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  const admin = () => new Api(controller.url, caOf(env));
  let api: Api;
  let ami: AmiWatch;
  const secrets = new Map<string, string>();
  const phones: SippOperator[] = [];
  /** Prompt lengths, to press keys while the caller is in a Read (not a Playback). */
  const promptSeconds = new Map<string, number>();
  let seq = 0;
  const nextCaller = () => `7702${String(Date.now()).slice(-5)}${String(++seq).padStart(2, '0')}`;

  async function createSipOperator(username: string, role: string, languages: string[]) {
    const r = await api.post('/api/users', {
      username,
      displayName: username,
      password: OPERATOR_PASSWORD,
      role,
      languages,
      phoneType: 'sip',
    });
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`create ${username}: ${r.status} ${r.text}`);
    const own = admin();
    await own.login(username, OPERATOR_PASSWORD);
    // Signing in leaves an operator Not ready (OP-32): these take calls.
    await ok(own.put('/api/agents/me/status', { status: 'ready' }), `${username} ready`);
    secrets.set(
      username,
      (await ok(own.get<{ sipPassword: string }>('/api/softphone'))).sipPassword,
    );
  }

  async function phone(
    username: string,
    o: { answer?: boolean; talkMs?: number; calls?: number; ringMs?: number },
  ) {
    const p = await startOperator({
      username,
      password: secrets.get(username)!,
      pbxPort: TEST_PORTS.sip,
      ringMs: o.ringMs ?? 300,
      talkMs: o.talkMs ?? 4000,
      calls: o.calls ?? 1,
      answer: o.answer ?? true,
      audio: true,
      timeoutS: 90,
    });
    phones.push(p);
    await p.registered;
    return p;
  }

  async function callFor(
    caller: string,
    done: (c: Call) => boolean,
    timeoutMs = 30_000,
  ): Promise<Call> {
    return waitFor(
      `the call from ${caller}`,
      async () => {
        const r = await api.get<{ items: Call[] }>('/api/calls');
        const c = r.body.items.find((x) => x.caller === caller);
        return c && done(c) ? c : undefined;
      },
      timeoutMs,
      200,
    );
  }

  const ms = (prompt: string) => Math.round((promptSeconds.get(prompt) ?? 5) * 1000);

  beforeAll(async () => {
    await controller.start();
    api = admin();
    await api.login('admin', env.adminPassword);
    await waitForPbx(api);
    // No after-call work: each phone takes its next call at once.
    await ok(api.put('/api/agents/settings', { acwSeconds: 0 }), 'no after-call work');
    await createSipOperator('sipop-kk', 'operator', ['kk']);
    await createSipOperator('sipop-ru', 'operator', ['kk', 'ru']);
    await createSipOperator('sip2nd', 'second_line', ['kk', 'ru']);
    await ok(api.put('/api/calendar/hours', ALWAYS_OPEN));
    await restoreMainFlow(api);
    const prompts = await ok(
      api.get<{
        items: Array<{ name: string; language: string; active: boolean; durationSeconds: number }>;
      }>('/api/prompts'),
    );
    for (const p of prompts.items) {
      if (p.active)
        promptSeconds.set(p.name, Math.max(promptSeconds.get(p.name) ?? 0, p.durationSeconds));
    }
    ami = await watchAmi(env);
  });

  afterAll(async () => {
    ami?.close();
    for (const p of phones) await p.stop();
    await api.put('/api/calendar/hours', ALWAYS_OPEN).catch(() => undefined);
    await restoreMainFlow(api).catch(() => undefined);
    await api.put('/api/agents/settings', { acwSeconds: 15 }).catch(() => undefined);
    await controller.stop();
  });

  it('takes a Russian caller to a Russian-speaking operator, announces the recording after the answer, and records the call', async () => {
    const op = await phone('sipop-ru', { talkMs: 4000 });
    const caller = nextCaller();
    const call = await placeIvrCall({
      did: '193',
      callerId: caller,
      pbxPort: TEST_PORTS.sip,
      steps: [
        { waitMs: ms('greeting') + 700, dtmf: '2' },
        { waitMs: 800, dtmf: '0' },
      ],
    });
    expect(await call.done, call.output()).toBe(0);
    expect(call.events()).toContain('remote-bye');
    expect(await op.done, op.output()).toBe(0);

    const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
    expect(c).toMatchObject({
      service: '193',
      outcome: 'operator',
      language: 'ru',
      queue: 'ru',
      agent: 'sipop-ru',
    });
    expect(c.ivrPath).toContain('/language');
    expect(c.waitSeconds).toBeGreaterThan(0);
    expect(c.talkSeconds).toBeGreaterThan(2);

    // The operator's leg answered (DialEnd ANSWER), then the notice played, then the bridge
    // (AgentConnect): the notice comes at the connection to the operator, not before.
    const answered = ami.events.find(
      (e) => e.Event === 'DialEnd' && e.DialStatus === 'ANSWER' && e.Linkedid === c.id,
    );
    const connected = ami.events.find((e) => e.Event === 'AgentConnect' && e.Linkedid === c.id);
    expect(answered && connected, 'DialEnd and AgentConnect seen').toBeTruthy();
    const gap = Number(connected!.Timestamp) - Number(answered!.Timestamp);
    expect(gap).toBeGreaterThan((promptSeconds.get('recording-notice') ?? 1) * 0.8);

    expect(c.recordingPath).toMatch(/^\d{4}\/\d{2}\/\d{2}\/[\d.]+\.wav$/);
    const file = path.join(env.recordingsDir!, c.recordingPath!);
    await waitFor(
      'the recording file',
      () => (existsSync(file) && statSync(file).size > 44 ? true : undefined),
      15_000,
    );
    expect(statSync(file).size).toBeGreaterThan(8000);
  });

  it('counts a caller who hangs up in the menu as missed', async () => {
    const caller = nextCaller();
    const call = await placeIvrCall({
      did: '88000800193',
      callerId: caller,
      pbxPort: TEST_PORTS.sip,
      steps: [{ waitMs: ms('greeting') + 700, dtmf: '1' }],
      hangupAfterMs: 1500,
    });
    expect(await call.done, call.output()).toBe(0);
    expect(call.events()).toContain('local-bye');
    const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
    expect(c).toMatchObject({ outcome: 'missed', language: 'kk', queue: null, agent: null });
    expect(c.ivrPath).toContain('/main_menu');
  });

  it('counts a caller who hangs up while the operator rings as missed in the queue', async () => {
    const op = await phone('sipop-kk', { answer: false });
    const caller = nextCaller();
    const call = await placeIvrCall({
      did: '+77272581500',
      callerId: caller,
      pbxPort: TEST_PORTS.sip,
      steps: [
        { waitMs: ms('greeting') + 700, dtmf: '1' },
        { waitMs: 800, dtmf: '0' },
      ],
      hangupAfterMs: 4000,
    });
    expect(await call.done, call.output()).toBe(0);
    const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
    expect(c).toMatchObject({ outcome: 'missed', queue: 'kk', agent: null });
    expect(c.waitSeconds).toBeGreaterThan(3);
    await waitFor(
      'the phone to have rung',
      () => (op.events().includes('invite') ? true : undefined),
      5000,
    );
    await op.stop();
  });

  it('after hours plays the message and saves a callback request (ivr)', async () => {
    await ok(
      api.put('/api/calendar/hours', {
        workday: { open: '00:00', close: '00:00' },
        dayOff: { open: '00:00', close: '00:00' },
      }),
    );
    try {
      const caller = nextCaller();
      const call = await placeIvrCall({
        did: '193',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        steps: [
          { waitMs: ms('greeting') + 700, dtmf: '2' },
          { waitMs: ms('after-hours') + 1000, dtmf: '1' },
        ],
      });
      expect(await call.done, call.output()).toBe(0);
      expect(call.events()).toContain('remote-bye');
      const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
      expect(c).toMatchObject({
        outcome: 'ivr',
        language: 'ru',
        callbackRequested: true,
        agent: null,
      });
      expect(c.ivrPath).toContain('/after_hours');
      const cb = await ok(
        api.get<{
          items: Array<{ callId: string; number: string; language: string; service: string }>;
        }>('/api/callbacks'),
      );
      expect(cb.items.filter((x) => x.callId === c.id)).toEqual([
        expect.objectContaining({ number: caller, language: 'ru', service: '193' }),
      ]);
    } finally {
      await ok(api.put('/api/calendar/hours', ALWAYS_OPEN));
    }
  });

  it('on a holiday uses the holiday hours: closed, message heard to the end (ivr)', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
    await ok(
      api.put('/api/calendar/hours', {
        workday: { open: '00:00', close: '24:00' },
        dayOff: { open: '00:00', close: '00:00' },
      }),
    );
    await ok(
      api.put(`/api/calendar/overrides/${today}`, {
        kind: 'off',
        name: 'Test holiday',
        religious: true,
      }),
    );
    try {
      const caller = nextCaller();
      const call = await placeIvrCall({
        did: '193',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        steps: [{ waitMs: ms('greeting') + 700, dtmf: '1' }, { waitMs: ms('after-hours') + 500 }],
        hangupAfterMs: 1500,
      });
      expect(await call.done, call.output()).toBe(0);
      const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
      expect(c).toMatchObject({ outcome: 'ivr', language: 'kk', callbackRequested: false });
      expect(c.ivrPath).toContain('/after_hours');
    } finally {
      await api.send('DELETE', `/api/calendar/overrides/${today}`);
      await ok(api.put('/api/calendar/hours', ALWAYS_OPEN));
    }
  });

  it('routes a number to the second-line queue, where a second-line engineer answers', async () => {
    await publishFlow(api, 'second-line', {
      start: 'q',
      nodes: { q: { type: 'queue', queue: 'second_line' } },
    });
    await routeServices(api, 'second-line', ['77272581500']);
    try {
      const op = await phone('sip2nd', { talkMs: 2500 });
      const caller = nextCaller();
      const call = await placeIvrCall({
        did: '77272581500',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      expect(await call.done, call.output()).toBe(0);
      expect(await op.done, op.output()).toBe(0);
      const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
      expect(c).toMatchObject({
        outcome: 'operator',
        queue: 'second_line',
        agent: 'sip2nd',
        service: '77272581500',
      });
    } finally {
      await restoreMainFlow(api);
    }
  });

  it('transfers a caller to a branch number through the carrier trunk (ivr)', async () => {
    const branch = await startBranch({ ringMs: 300, talkMs: 2000, calls: 1 });
    await ok(
      api.put('/api/trunks/carrier', {
        matchAddresses: ['127.0.0.1'],
        outboundUri: `sip:127.0.0.1:${branch.port}`,
      }),
      'trunk',
    );
    await publishFlow(api, 'to-branch', {
      start: 't',
      nodes: {
        t: { type: 'transfer', number: '+77172000000', next: 'bye' },
        bye: { type: 'message', prompt: 'goodbye' },
      },
    });
    await routeServices(api, 'to-branch', ['77272581500']);
    try {
      const caller = nextCaller();
      const call = await placeIvrCall({
        did: '77272581500',
        callerId: caller,
        pbxPort: TEST_PORTS.sip,
        steps: [],
      });
      expect(await call.done, call.output()).toBe(0);
      expect(await branch.done, branch.output()).toBe(0);
      expect(branch.events()).toContain('answered');
      const c = await callFor(caller, (x) => x.state === 'ended' && x.outcome !== null);
      expect(c).toMatchObject({ outcome: 'ivr', agent: null, service: '77272581500' });
      expect(c.ivrPath).toBe('/t');
    } finally {
      await restoreMainFlow(api);
      await api.put('/api/trunks/carrier', { matchAddresses: ['127.0.0.1'], outboundUri: null });
      await branch.stop();
    }
  });

  it('rejects a bad flow, an unknown flow for a number and a bad prompt, and keeps the dialplan', async () => {
    const before = await asteriskCli('dialplan show kcc-flow-main');
    const dangling = await api.post<{ code: string; message: string; problems: string[] }>(
      '/api/flows/main/versions',
      {
        name: 'Main',
        graph: { start: 'a', nodes: { a: { type: 'play', prompt: 'greeting', next: 'nowhere' } } },
      },
    );
    expect(dangling.status).toBe(400);
    expect(dangling.body.message).toContain('nodes.a.next: points to missing node nowhere');

    const loop = await api.post<{ problems: string[] }>('/api/flows/main/versions', {
      name: 'Main',
      graph: {
        start: 'a',
        nodes: {
          a: { type: 'play', prompt: 'greeting', next: 'b' },
          b: { type: 'play', prompt: 'goodbye', next: 'a' },
        },
      },
    });
    expect(loop.status).toBe(400);
    expect(loop.body.problems).toContain('nodes.a: loops without an exit (no path ends the call)');

    const ghost = await api.put<{ message: string }>('/api/services/193/flow', { flowId: 'ghost' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.message).toContain('flowId');

    const text = await api.send<{ message: string }>(
      'PUT',
      '/api/prompts/ru/greeting',
      'not audio',
      'text/plain',
    );
    expect(text.status).toBe(415);
    const garbage = await api.send<{ message: string }>(
      'PUT',
      '/api/prompts/ru/greeting',
      'RIFF....garbage',
      'audio/wav',
    );
    expect(garbage.status).toBe(422);
    expect(garbage.body.message).toMatch(/could not be decoded/);

    expect(await asteriskCli('dialplan show kcc-flow-main')).toBe(before);
    const services = await ok(
      api.get<{ items: Array<{ number: string; flowId: string }> }>('/api/services'),
    );
    expect(services.items.find((x) => x.number === '193')?.flowId).toBe('main');
  });
});

/**
 * `/api/agents` through Fastify: permissions per role, validation naming the field, sign-in and
 * sign-out moving the status, the floor, the log and the administrator's pause reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../db/schema.js';
import type { App } from '../http/app.js';
import { buildTestApp, signInAll, createUsers } from '../test-app.js';
import { authFixture, silentLogger, type AuthFixture } from '../test-support.js';
import { agentRoutes, agentSessionHooks } from './routes.js';
import { AgentService, type AgentPbx } from './service.js';
import { AgentStore } from './store.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'op1', role: 'operator' },
  { username: 'sup1', role: 'supervisor' },
  { username: 'admin1', role: 'administrator' },
  { username: 'obs1', role: 'observer' },
];

describe('agents API', () => {
  let f: AuthFixture;
  let app: App;
  let agents: AgentService;
  const actions: Array<Record<string, string>> = [];
  const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
  const ids: Record<string, number> = {};

  const pbx: AgentPbx = {
    state: { connected: true },
    action: async (m) => {
      actions.push(m);
      return { Response: 'Success' };
    },
    actionList: async () => [],
  };

  beforeAll(async () => {
    f = await authFixture();
    Object.assign(ids, await createUsers(f, USERS, PASSWORD));
    const store = new AgentStore(f.db);
    agents = new AgentService({ store, now: f.clock.now, logger: silentLogger });
    await agents.load();
    agents.attach(pbx);
    app = await buildTestApp(f, {
      routes: [agentRoutes(agents, store, f.clock.now), agentSessionHooks(agents)],
    });
    Object.assign(
      sessions,
      await signInAll(
        app,
        USERS.map((u) => u.username),
        PASSWORD,
      ),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  const as = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      cookies: sessions[user]!.cookies,
      headers: { 'x-csrf-token': sessions[user]!.csrf },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  it('signing in left the operator not ready (signed_in)', async () => {
    const r = await as('op1', 'GET', '/api/agents/me/status');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      username: 'op1',
      status: 'not_ready',
      reasonId: 'signed_in',
      paused: true,
      pauseReason: 'signed_in',
    });
    expect(actions).toContainEqual({
      Action: 'QueuePause',
      Interface: 'PJSIP/op1',
      Paused: 'true',
      Reason: 'signed_in',
    });
  });

  it('sets the own status and names the field of bad input', async () => {
    const lunch = await as('op1', 'PUT', '/api/agents/me/status', {
      status: 'not_ready',
      reasonId: 'lunch',
    });
    expect(lunch.statusCode).toBe(200);
    expect(lunch.json()).toMatchObject({ status: 'not_ready', reasonId: 'lunch' });

    const noReason = await as('op1', 'PUT', '/api/agents/me/status', { status: 'not_ready' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toContain('reasonId');

    const badStatus = await as('op1', 'PUT', '/api/agents/me/status', { status: 'dancing' });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().message).toContain('status');

    const badReason = await as('op1', 'PUT', '/api/agents/me/status', {
      status: 'not_ready',
      reasonId: 'Lunch Break',
    });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.json().message).toContain('reasonId');

    const extra = await as('op1', 'PUT', '/api/agents/me/status', { status: 'ready', x: 1 });
    expect(extra.statusCode).toBe(400);

    const ready = await as('op1', 'PUT', '/api/agents/me/status', { status: 'ready' });
    expect(ready.json()).toMatchObject({ status: 'ready', paused: false, pauseReason: null });
  });

  it('gives the floor to the supervisor and the administrator only', async () => {
    const floor = await as('sup1', 'GET', '/api/agents');
    expect(floor.statusCode).toBe(200);
    const items = floor.json().items as Array<{ username: string; status: string }>;
    expect(items.map((i) => i.username)).toEqual(['op1', 'sup1']);
    expect(items.find((i) => i.username === 'op1')!.status).toBe('ready');
    expect((await as('admin1', 'GET', '/api/agents')).statusCode).toBe(200);
    expect((await as('op1', 'GET', '/api/agents')).statusCode).toBe(403);
    expect((await as('obs1', 'GET', '/api/agents')).statusCode).toBe(403);
    expect((await as('admin1', 'GET', '/api/agents/me/status')).statusCode).toBe(403);
  });

  it("lets the supervisor set an operator's status, logged with their name", async () => {
    const r = await as('sup1', 'PUT', `/api/agents/${ids.op1}/status`, {
      status: 'not_ready',
      reasonId: 'meeting',
    });
    expect(r.statusCode).toBe(200);
    expect(
      (await as('op1', 'PUT', `/api/agents/${ids.sup1}/status`, { status: 'ready' })).statusCode,
    ).toBe(403);
    const log = await as(
      'sup1',
      'GET',
      `/api/agents/status-log?user=op1&from=${encodeURIComponent('2025-11-25T00:00:00Z')}&to=${encodeURIComponent('2025-11-26T00:00:00Z')}`,
    );
    expect(log.statusCode).toBe(200);
    const rows = log.json().items as Array<{ status: string; reason: string; setBy: string }>;
    expect(rows.map((x) => `${x.status}/${x.reason}/${x.setBy}`)).toEqual([
      'not_ready/signed_in/null',
      'not_ready/lunch/null',
      'ready/null/null',
      'not_ready/meeting/sup1',
    ]);
  });

  it('checks the log query', async () => {
    const noFrom = await as('sup1', 'GET', '/api/agents/status-log');
    expect(noFrom.statusCode).toBe(400);
    expect(noFrom.json().message).toContain('from');
    const backwards = await as(
      'sup1',
      'GET',
      '/api/agents/status-log?from=2025-11-26T00:00:00Z&to=2025-11-25T00:00:00Z',
    );
    expect(backwards.statusCode).toBe(400);
    const unknown = await as(
      'sup1',
      'GET',
      '/api/agents/status-log?from=2025-11-25T00:00:00Z&user=nobody',
    );
    expect(unknown.statusCode).toBe(404);
    expect(
      (await as('op1', 'GET', '/api/agents/status-log?from=2025-11-25T00:00:00Z')).statusCode,
    ).toBe(403);
  });

  it('keeps pause reasons for the administrator; everyone reads them', async () => {
    expect((await as('op1', 'GET', '/api/agents/pause-reasons')).statusCode).toBe(200);
    const add = await as('admin1', 'POST', '/api/agents/pause-reasons', {
      id: 'coaching',
      names: { kk: 'Коучинг', ru: 'Коучинг', en: 'Coaching' },
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ id: 'coaching', active: true, system: false });
    const dup = await as('admin1', 'POST', '/api/agents/pause-reasons', {
      id: 'coaching',
      names: { kk: 'a', ru: 'b', en: 'c' },
    });
    expect(dup.statusCode).toBe(409);
    const badId = await as('admin1', 'POST', '/api/agents/pause-reasons', {
      id: 'Coaching!',
      names: { kk: 'a', ru: 'b', en: 'c' },
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().message).toContain('id');
    const hide = await as('admin1', 'PUT', '/api/agents/pause-reasons/coaching', { active: false });
    expect(hide.json()).toMatchObject({ active: false });
    const system = await as('admin1', 'PUT', '/api/agents/pause-reasons/acw', { sort: 1 });
    expect(system.statusCode).toBe(409);
    expect(
      (
        await as('sup1', 'POST', '/api/agents/pause-reasons', {
          id: 'x',
          names: { kk: 'a', ru: 'b', en: 'c' },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('keeps the after-call-work length', async () => {
    expect((await as('admin1', 'GET', '/api/agents/settings')).json()).toEqual({ acwSeconds: 15 });
    const bad = await as('admin1', 'PUT', '/api/agents/settings', { acwSeconds: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('acwSeconds');
    expect((await as('admin1', 'PUT', '/api/agents/settings', { acwSeconds: 30 })).json()).toEqual({
      acwSeconds: 30,
    });
    expect((await as('op1', 'PUT', '/api/agents/settings', { acwSeconds: 0 })).statusCode).toBe(
      403,
    );
  });

  it('signing out sets offline', async () => {
    const r = await as('op1', 'POST', '/api/auth/logout');
    expect(r.statusCode).toBe(204);
    await agents.idle();
    expect((await agents.me(ids.op1!)).status).toBe('offline');
    expect(actions.at(-1)).toEqual({
      Action: 'QueuePause',
      Interface: 'PJSIP/op1',
      Paused: 'true',
      Reason: 'offline',
    });
  });
});

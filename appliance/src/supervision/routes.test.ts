/**
 * The supervision API through Fastify: staffing alerts following real sign-ins (the operators'
 * statuses and console sessions), pushed live to the supervisor, journalled; the minimum set by
 * the administrator with bad input named; the availability figures for those who may read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { ApiServices } from '../api-routes.js';
import type { Role } from '../db/schema.js';
import type { App } from '../http/app.js';
import { SESSION_COOKIE } from '../http/guard.js';
import { buildFullTestApp, createUsers, signInAll, type TestSession } from '../test-app.js';
import { authFixture } from '../test-support.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'sup1', role: 'supervisor' },
  { username: 'admin1', role: 'administrator' },
  { username: 'obs1', role: 'observer' },
  { username: 'op1', role: 'operator' },
  { username: 'op2', role: 'operator' },
  { username: 'op3', role: 'operator' },
  { username: 'sl1', role: 'second_line' },
];

interface StaffingBody {
  open: boolean;
  minOperators: number;
  alerts: Array<{ id: string; count?: number; minimum?: number; since: string }>;
  history: Array<{ id: string; change: string; count: number | null }>;
}

describe('/api/supervision and /api/availability', () => {
  let app: App;
  let services: ApiServices;
  let as: Record<string, TestSession> = {};
  const staffingEvents: Array<{ alerts: Array<{ id: string }> }> = [];
  let socket: WebSocket;

  beforeAll(async () => {
    // The fixture's clock stands at Tuesday 25 November 2025, 17:00 in Almaty: open.
    const f = await authFixture();
    await createUsers(f, USERS, PASSWORD);
    ({ app, services } = await buildFullTestApp(f));
    as = await signInAll(app, ['sup1', 'admin1', 'obs1'], PASSWORD);
    await services.agents.idle();
    await services.supervision.start();
    await services.supervision.idle();

    socket = await app.injectWS('/api/ws', {
      headers: { cookie: `${SESSION_COOKIE}=${as.sup1!.cookies[SESSION_COOKIE]}` },
    });
    await new Promise<void>((resolve) => {
      socket.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string; event?: string; data?: unknown };
        if (msg.type === 'subscribed') resolve();
        if (msg.event === 'staffing.changed') {
          staffingEvents.push(msg.data as { alerts: Array<{ id: string }> });
        }
      });
      socket.send(JSON.stringify({ type: 'subscribe', topics: ['staffing'] }));
    });
  });
  afterAll(async () => {
    socket.terminate();
    services.supervision.stop();
    await app.close();
  });

  const call = (who: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      cookies: as[who]!.cookies,
      headers: { 'x-csrf-token': as[who]!.csrf },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  const staffing = async (who = 'sup1') => {
    const res = await call(who, 'GET', '/api/supervision/staffing');
    expect(res.statusCode).toBe(200);
    return res.json<StaffingBody>();
  };

  it('raises the operators and second-line alerts with only a supervisor signed in', async () => {
    const body = await staffing();
    expect(body).toMatchObject({
      open: true,
      minOperators: 3,
      alerts: [
        { id: 'operators_below_minimum', count: 0, minimum: 3, since: '2025-11-25T12:00:00.000Z' },
        { id: 'no_second_line', since: '2025-11-25T12:00:00.000Z' },
      ],
    });
    expect(body.history.map((e) => `${e.change} ${e.id}`)).toEqual([
      'raised no_second_line',
      'raised operators_below_minimum',
    ]);
  });

  it('clears them as operators sign in, and pushes each change to the supervisor', async () => {
    const more = await signInAll(app, ['op1', 'op2', 'op3', 'sl1'], PASSWORD);
    as = { ...as, ...more };
    await services.agents.idle();
    await services.supervision.idle();
    const body = await staffing();
    expect(body.alerts).toEqual([]);
    expect(body.history.map((e) => `${e.change} ${e.id}`).slice(0, 2)).toEqual([
      'cleared no_second_line',
      'cleared operators_below_minimum',
    ]);
    await expect.poll(() => staffingEvents.at(-1)?.alerts).toEqual([]);
    expect(staffingEvents.length).toBeGreaterThanOrEqual(3);
  });

  it('raises it again when an operator signs out', async () => {
    const res = await call('op3', 'POST', '/api/auth/logout');
    expect(res.statusCode).toBe(204);
    await services.agents.idle();
    await services.supervision.idle();
    expect((await staffing()).alerts).toMatchObject([
      { id: 'operators_below_minimum', count: 2, minimum: 3 },
    ]);
  });

  it('lets the administrator set the minimum, naming the field on bad input', async () => {
    expect(
      (await call('sup1', 'PUT', '/api/supervision/staffing/settings', { minOperators: 1 }))
        .statusCode,
    ).toBe(403);
    for (const [payload, field] of [
      [{ minOperators: -1 }, 'minOperators'],
      [{ minOperators: 'three' }, 'minOperators'],
      [{}, 'minOperators'],
      [{ minOperators: 2, extra: true }, 'body.extra'],
    ] as const) {
      const res = await call('admin1', 'PUT', '/api/supervision/staffing/settings', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toContain(field);
    }
    const ok = await call('admin1', 'PUT', '/api/supervision/staffing/settings', {
      minOperators: 2,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ minOperators: 2 });
    const body = await staffing();
    expect(body).toMatchObject({ minOperators: 2, alerts: [] });
    expect(
      (await call('sup1', 'GET', '/api/supervision/staffing?historyLimit=x')).json(),
    ).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('historyLimit'),
    });
  });

  it('keeps the alerts from operators and the observer', async () => {
    for (const who of ['op1', 'obs1']) {
      const res = await call(who, 'GET', '/api/supervision/staffing');
      expect(`${who} ${res.statusCode}`).toBe(`${who} 403`);
    }
  });

  it('gives the availability figures to the supervisor and the observer, not to operators', async () => {
    for (const who of ['sup1', 'obs1', 'admin1']) {
      const res = await call(who, 'GET', '/api/availability');
      expect(`${who} ${res.statusCode}`).toBe(`${who} 200`);
      expect(res.json()).toMatchObject({
        offered: 0,
        waitingNow: 0,
        operators: { not_ready: 3, offline: 1 },
        targets: { maxLossPercent: 5, targetWaitSeconds: 30 },
      });
    }
    expect((await call('op1', 'GET', '/api/availability')).statusCode).toBe(403);
  });
});

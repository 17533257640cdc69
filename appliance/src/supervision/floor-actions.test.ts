/**
 * Forced actions from the supervisor's floor (SUP-33) through the API: force Ready and disconnect,
 * each with a reason that lands in the audit log, refused without one (naming the field) and for
 * anyone without `floor:manage`; a disconnected operator is Signed out and their session ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServices } from '../api-routes.js';
import type { App } from '../http/app.js';
import { buildFullTestApp, createUsers, signInAll, type TestSession } from '../test-app.js';
import { authFixture, type AuthFixture } from '../test-support.js';

const PASSWORD = 'kcc-test-pass-1';

describe('forced actions on operators', () => {
  let f: AuthFixture;
  let app: App;
  let services: ApiServices;
  let ids: Record<string, number>;
  let as: Record<string, TestSession>;

  beforeAll(async () => {
    f = await authFixture();
    ids = await createUsers(
      f,
      [
        { username: 'sup1', role: 'supervisor' },
        { username: 'op1', role: 'operator' },
        { username: 'op2', role: 'operator' },
      ],
      PASSWORD,
    );
    ({ app, services } = await buildFullTestApp(f));
    as = await signInAll(app, ['sup1', 'op1', 'op2'], PASSWORD);
    await services.agents.idle();
  });
  afterAll(() => app.close());

  const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      cookies: as[who]!.cookies,
      headers: { 'x-csrf-token': as[who]!.csrf },
      ...(payload ? { payload } : {}),
    });

  const audit = () =>
    f.db
      .selectFrom('audit_log')
      .select(['username', 'action', 'target', 'details'])
      .where('action', 'in', ['agent.forced_ready', 'agent.disconnected'])
      .orderBy('id')
      .execute();

  it('forces an operator to Ready, logged with who and why', async () => {
    const url = `/api/supervision/agents/${ids.op1}/force-ready`;
    const none = await call('sup1', 'POST', url, { why: '' });
    expect(none.statusCode).toBe(400);
    expect((none.json() as { message: string }).message).toContain('why');
    expect((await call('op2', 'POST', url, { why: 'I want it' })).statusCode).toBe(403);
    expect(await audit()).toEqual([]);

    const res = await call('sup1', 'POST', url, { why: 'Queue is long' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'op1', status: 'ready' });
    expect(await audit()).toEqual([
      {
        username: 'sup1',
        action: 'agent.forced_ready',
        target: 'op1',
        details: JSON.stringify({ why: 'Queue is long' }),
      },
    ]);
  });

  it('disconnects an operator: Signed out, console session ended, logged', async () => {
    expect((await call('op2', 'GET', '/api/auth/me')).statusCode).toBe(200);
    const res = await call('sup1', 'POST', `/api/supervision/agents/${ids.op2}/disconnect`, {
      why: 'End of shift',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'op2', status: 'offline' });
    expect((await call('op2', 'GET', '/api/auth/me')).statusCode).toBe(401);
    const last = (await audit()).at(-1);
    expect(last).toMatchObject({ username: 'sup1', action: 'agent.disconnected', target: 'op2' });
    expect(JSON.parse(last!.details!)).toEqual({ why: 'End of shift', sessionsEnded: 1 });
    // Nobody disconnects themselves this way, and an unknown user is named.
    const self = await call('sup1', 'POST', `/api/supervision/agents/${ids.sup1}/disconnect`, {
      why: 'Testing',
    });
    expect(self.statusCode).toBe(400);
    const unknown = await call('sup1', 'POST', '/api/supervision/agents/9999/force-ready', {
      why: 'Testing',
    });
    expect(unknown.statusCode).toBe(404);
  });
});

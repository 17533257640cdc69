import { Value } from '@sinclair/typebox/value';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSettings } from '../admin/auth-service.js';
import { PERMISSIONS } from '../admin/roles.js';
import { NO_PATH_FACTS, type CallFact } from '../calls/reducer.js';
import { CallService } from '../calls/service.js';
import { CallStore } from '../calls/store.js';
import type { Role } from '../db/schema.js';
import { HealthSchema } from '../device/routes.js';
import { HealthService } from '../device/health.js';
import { authFixture, SERVICES, silentLogger, type AuthFixture } from '../test-support.js';
import { startOfDay } from '../time.js';
import { buildApp, type App, type AppDeps } from './app.js';
import { isGuardedPath, SESSION_COOKIE } from './guard.js';
import { LiveHub } from './live-hub.js';
import { Metrics } from './metrics.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'operator1', role: 'operator' },
  { username: 'observer1', role: 'observer' },
  { username: 'admin1', role: 'administrator' },
];

interface Harness extends AuthFixture {
  app: App;
  store: CallStore;
  routes: RouteOptions[];
  pbx: { connected: boolean; dbOk: boolean };
}

async function harness(
  opts: { auth?: Partial<AuthSettings>; deps?: Partial<AppDeps> } = {},
): Promise<Harness> {
  const f = await authFixture(opts.auth);
  for (const u of USERS) {
    await f.auth.createUser({
      username: u.username,
      displayName: u.username,
      password: PASSWORD,
      role: u.role,
      language: 'ru',
    });
  }
  const store = new CallStore(f.db);
  const calls = new CallService(
    store,
    { services: SERVICES, now: f.clock.now },
    silentLogger,
    (at) => startOfDay(at),
  );
  const pbx = { connected: false, dbOk: true };
  const health = new HealthService({
    version: '1.2.3',
    dataDir: '/tmp',
    pingDb: async () => pbx.dbOk,
    pbx: () => ({
      connected: pbx.connected,
      version: pbx.connected ? '20.10.0' : null,
      since: null,
      lastError: null,
    }),
    startedAt: Date.now(),
  });
  const routes: RouteOptions[] = [];
  const app = await buildApp({
    auth: f.auth,
    users: f.users,
    calls,
    health,
    hub: new LiveHub(f.auth),
    metrics: new Metrics(),
    now: f.clock.now,
    version: '1.2.3',
    uiDir: null,
    pbxWebSocket: null,
    caCert: null,
    metricsToken: '',
    onRoute: (r) => routes.push(r),
    ...opts.deps,
  });
  return { ...f, app, store, routes, pbx };
}

interface SignedIn {
  cookies: Record<string, string>;
  csrf: string;
}

async function signIn(h: Harness, username: string): Promise<SignedIn> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  expect(cookie).toBeDefined();
  return {
    cookies: { [SESSION_COOKIE]: cookie!.value },
    csrf: (res.json() as { csrfToken: string }).csrfToken,
  };
}

async function count(h: Harness, table: 'sessions' | 'audit_log'): Promise<number> {
  const r = await h.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function methodsOf(r: RouteOptions): string[] {
  return Array.isArray(r.method) ? [...r.method] : [r.method];
}

/** A concrete URL for a route pattern. */
function sampleUrl(pattern: string): string {
  return pattern.replace(/:[^/]+/g, '1').replace(/\*/g, 'anything');
}

describe('POST /api/auth/login input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.app.close());

  it.each([
    ['no password', { username: 'operator1' }, /password/],
    ['no username', { password: PASSWORD }, /username/],
    ['a username of 65 characters', { username: 'a'.repeat(65), password: PASSWORD }, /username/],
    ['an empty password', { username: 'operator1', password: '' }, /password/],
    ['a username that is an object', { username: { $ne: '' }, password: PASSWORD }, /username/],
    ['a password that is a list', { username: 'operator1', password: ['a', 'b'] }, /password/],
    [
      'an unexpected field',
      { username: 'operator1', password: PASSWORD, role: 'administrator' },
      /additional/,
    ],
    ['a body that is a list', [{ username: 'operator1', password: PASSWORD }], /object/],
  ])('refuses %s with a 400 naming the problem', async (_name, payload, message) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: payload as object,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'validation',
      message,
    });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses malformed JSON with a 400 saying so', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      statusCode: 400,
      code: 'invalid_json',
      message: expect.stringContaining('JSON'),
    });
  });

  it('refuses a request without a body', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/login' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/body/);
  });

  it('wrote nothing for any of the refused requests', async () => {
    expect(await count(h, 'sessions')).toBe(0);
    expect(await count(h, 'audit_log')).toBe(0);
    const users = await h.db
      .selectFrom('users')
      .select(['username', 'failed_logins', 'locked_until'])
      .execute();
    for (const u of users) expect(u).toMatchObject({ failed_logins: 0, locked_until: null });
  });
});

describe('session cookie, CSRF and sign-out', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ auth: { maxFailedLogins: 2, lockoutMinutes: 15 } });
  });
  afterAll(() => h.app.close());

  it('a successful login sets an httpOnly, SameSite=Strict session cookie and returns the user', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'operator1', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value.length).toBeGreaterThan(30);
    expect((cookie as { expires?: Date }).expires?.toISOString()).toBe('2025-11-26T00:00:00.000Z');

    const body = res.json();
    expect(body).toEqual({
      user: {
        id: expect.any(Number),
        username: 'operator1',
        displayName: 'operator1',
        role: 'operator',
        permissions: [
          'calls:read',
          'summary:read',
          'health:read',
          'softphone:use',
          'tickets:work',
          'kb:read',
          'chat:use',
          'directory:read',
        ],
        language: 'ru',
      },
      csrfToken: expect.any(String),
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('GET /api/auth/me answers the signed-in user; logout needs the CSRF token and ends the session', async () => {
    const s = await signIn(h, 'operator1');

    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: s.cookies });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { username: 'operator1' }, csrfToken: s.csrf });

    const noToken = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: s.cookies,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ code: 'csrf' });

    const wrongToken = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: s.cookies,
      headers: { 'x-csrf-token': `${s.csrf}x` },
    });
    expect(wrongToken.statusCode).toBe(403);
    expect(wrongToken.json()).toMatchObject({ code: 'csrf' });

    // Refused logouts left the session alone.
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: s.cookies })).statusCode,
    ).toBe(200);

    const out = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: s.cookies,
      headers: { 'x-csrf-token': s.csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    const cleared = out.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');

    const after = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: s.cookies });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('a wrong password is a 401; a locked account is a 429 with Retry-After', async () => {
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'observer1', password: 'wrong' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'invalid_credentials' });

    const locked = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'observer1', password: 'wrong again' },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.json()).toMatchObject({ code: 'locked', retryAfterSeconds: 900 });
  });

  it('an expired session is signed out', async () => {
    const s = await signIn(h, 'admin1');
    h.clock.advance(12 * 3_600_000);
    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: s.cookies });
    expect(me.statusCode).toBe(401);
  });
});

describe('access control on every route', () => {
  let h: Harness;
  beforeAll(async () => {
    // With the PBX WebSocket proxy, so its routes are in the table too. Nothing listens on the
    // upstream port: every request here must be answered by the guard before it is proxied.
    h = await harness({ deps: { pbxWebSocket: { host: '127.0.0.1', port: 9 } } });
    await h.app.ready();
  });
  afterAll(() => h.app.close());

  // Everything but the API docs and the metrics scrape (which checks its own token) is guarded.
  const guarded = () =>
    h.routes.filter((r) => !r.url.startsWith('/api/docs') && r.url !== '/metrics');

  it('sees the whole route table', () => {
    const urls = new Set(guarded().map((r) => r.url));
    for (const url of [
      '/api/auth/login',
      '/api/auth/me',
      '/api/calls',
      '/api/calls/live',
      '/api/health',
      '/api/ws',
      '/ws',
      '/api/softphone',
    ]) {
      expect(urls).toContain(url);
    }
    for (const url of urls) expect(isGuardedPath(url)).toBe(true);
  });

  it('every API route declares public, anyUser or a known permission', () => {
    const undeclared = guarded()
      .filter((r) => !r.config?.public && !r.config?.anyUser && !r.config?.permission)
      .map((r) => `${methodsOf(r).join(',')} ${r.url}`);
    expect(undeclared).toEqual([]);
    for (const r of guarded()) {
      if (r.config?.permission) expect(PERMISSIONS).toContain(r.config.permission);
    }
  });

  it('answers 401 to anonymous requests on every route that is not public', async () => {
    const answers: string[] = [];
    for (const r of guarded().filter((x) => !x.config?.public)) {
      for (const method of methodsOf(r)) {
        const res = await h.app.inject({ method: method as 'GET', url: sampleUrl(r.url) });
        answers.push(`${method} ${r.url} ${res.statusCode}`);
      }
    }
    expect(answers.length).toBeGreaterThan(8);
    expect(answers.filter((a) => !a.endsWith(' 401'))).toEqual([]);
  });

  it('answers 401 when the path is percent-encoded to slip past the check', async () => {
    const answers: string[] = [];
    for (const url of ['/%61pi/calls', '/%61%70%69/calls/live', '/api/%63alls', '/%77s']) {
      const res = await h.app.inject({ method: 'GET', url });
      answers.push(`${url} ${res.statusCode}`);
    }
    expect(answers.filter((a) => !a.endsWith(' 401'))).toEqual([]);
  });

  it('keeps the public routes public', async () => {
    for (const r of guarded().filter((x) => x.config?.public && methodsOf(x).includes('GET'))) {
      const res = await h.app.inject({ method: 'GET', url: sampleUrl(r.url) });
      expect(`${r.url} ${res.statusCode}`).not.toMatch(/ 40[13]$/);
    }
  });
});

describe('permissions by role', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ deps: { pbxWebSocket: { host: '127.0.0.1', port: 9 } } });
    // A route that forgot to declare who may use it.
    h.app.get('/api/forgotten', async () => ({ secret: true }));
  });
  afterAll(() => h.app.close());

  it('an observer sees the summary but no calls', async () => {
    const s = await signIn(h, 'observer1');
    for (const url of ['/api/calls', '/api/calls/live']) {
      const res = await h.app.inject({ method: 'GET', url, cookies: s.cookies });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('calls:read'),
      });
    }
    const summary = await h.app.inject({
      method: 'GET',
      url: '/api/calls/summary',
      cookies: s.cookies,
    });
    expect(summary.statusCode).toBe(200);
    expect(summary.json()).toEqual({ activeCalls: 0, callsToday: 0, answeredToday: 0 });
    // No softphone either.
    const ws = await h.app.inject({ method: 'GET', url: '/ws', cookies: s.cookies });
    expect(ws.statusCode).toBe(403);
  });

  it('an operator and an administrator see the calls', async () => {
    for (const username of ['operator1', 'admin1']) {
      const s = await signIn(h, username);
      for (const url of ['/api/calls', '/api/calls/live']) {
        const res = await h.app.inject({ method: 'GET', url, cookies: s.cookies });
        expect(`${username} ${url} ${res.statusCode}`).toBe(`${username} ${url} 200`);
        expect(res.json()).toEqual({ items: [] });
      }
    }
  });

  it('gives the softphone credentials to operators only, never cached', async () => {
    const op = await signIn(h, 'operator1');
    const res = await h.app.inject({ method: 'GET', url: '/api/softphone', cookies: op.cookies });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ sipUsername: string; sipPassword: string; webSocketPath: string }>();
    expect(body.sipUsername).toBe('operator1');
    expect(body.sipPassword.length).toBeGreaterThanOrEqual(20);
    expect(body.webSocketPath).toBe('/ws');
    for (const username of ['observer1', 'admin1']) {
      const s = await signIn(h, username);
      const denied = await h.app.inject({
        method: 'GET',
        url: '/api/softphone',
        cookies: s.cookies,
      });
      expect(`${username} ${denied.statusCode}`).toBe(`${username} 403`);
    }
  });

  it('closes a route that declares nothing, even to a signed-in user', async () => {
    const s = await signIn(h, 'admin1');
    const res = await h.app.inject({ method: 'GET', url: '/api/forgotten', cookies: s.cookies });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden' });
    expect(res.body).not.toContain('secret');
  });
});

describe('GET /api/calls', () => {
  let h: Harness;
  let s: SignedIn;

  const fact = (id: string, startedAt: string, extra: Partial<CallFact> = {}): CallFact => ({
    id,
    direction: 'inbound',
    didRaw: '193',
    did: '193',
    service: '193',
    caller: '87011234567',
    callerName: null,
    channel: `PJSIP/carrier-${id}`,
    state: 'answered',
    startedAt,
    answeredAt: startedAt,
    endedAt: null,
    hangupCause: null,
    endEstimated: false,
    ...NO_PATH_FACTS,
    segments: [],
    ...extra,
  });

  beforeAll(async () => {
    h = await harness();
    // The clock stands at 2025-11-25T12:00:00Z.
    const now = h.clock.now();
    await h.store.upsert(
      fact('yesterday', '2025-11-24T09:00:00.000Z', {
        state: 'ended',
        endedAt: '2025-11-24T09:02:00.000Z',
      }),
      now,
    );
    await h.store.upsert(
      fact('morning', '2025-11-25T08:00:00.000Z', {
        outcome: 'operator',
        language: 'kk',
        ivrPath: '/greeting/language/main_menu/operator',
        queue: 'kk',
        agent: 'operator1',
        waitSeconds: 12.5,
        talkSeconds: 52.5,
        recordingPath: '2025/11/25/morning.wav',
        state: 'ended',
        endedAt: '2025-11-25T08:01:05.000Z',
        hangupCause: 16,
        segments: [
          {
            agent: 'operator1',
            queue: 'kk',
            startedAt: '2025-11-25T08:00:12.500Z',
            endedAt: '2025-11-25T08:01:05.000Z',
          },
        ],
      }),
      now,
    );
    await h.store.upsert(fact('ten', '2025-11-25T10:00:00.000Z'), now);
    await h.store.upsert(
      fact('half-past-ten', '2025-11-25T10:30:00.000Z', { state: 'ringing', answeredAt: null }),
      now,
    );
    s = await signIn(h, 'operator1');
  });
  afterAll(() => h.app.close());

  const list = (query: Record<string, string>) =>
    h.app.inject({ method: 'GET', url: '/api/calls', query, cookies: s.cookies });
  const ids = (res: { json(): unknown }) =>
    (res.json() as { items: Array<{ id: string }> }).items.map((c) => c.id);

  it('lists the calls that started in [from, to), newest first', async () => {
    const res = await list({ from: '2025-11-25T08:00:00.000Z', to: '2025-11-25T10:30:00.000Z' });
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual(['ten', 'morning']);
    expect(res.json().items[1]).toEqual({
      id: 'morning',
      direction: 'inbound',
      did: '193',
      service: '193',
      caller: '87011234567',
      state: 'ended',
      startedAt: '2025-11-25T08:00:00.000Z',
      answeredAt: '2025-11-25T08:00:00.000Z',
      endedAt: '2025-11-25T08:01:05.000Z',
      durationSeconds: 65,
      outcome: 'operator',
      language: 'kk',
      ivrPath: '/greeting/language/main_menu/operator',
      queue: 'kk',
      agent: 'operator1',
      waitSeconds: 12.5,
      talkSeconds: 52.5,
      callbackRequested: false,
      recordingPath: '2025/11/25/morning.wav',
      segments: [
        {
          agent: 'operator1',
          queue: 'kk',
          startedAt: '2025-11-25T08:00:12.500Z',
          endedAt: '2025-11-25T08:01:05.000Z',
          talkSeconds: 52.5,
        },
      ],
    });
    expect(res.json().items[0]).toMatchObject({
      id: 'ten',
      state: 'answered',
      durationSeconds: null,
    });
  });

  it('understands times with an offset', async () => {
    // 05:00 in Almaty is midnight UTC.
    const res = await list({ from: '2025-11-25T05:00:00+05:00', to: '2025-11-25T15:30:00+05:00' });
    expect(ids(res)).toEqual(['ten', 'morning']);
  });

  it('defaults to the last 24 hours and honours limit', async () => {
    expect(ids(await list({}))).toEqual(['half-past-ten', 'ten', 'morning']);
    expect(ids(await list({ limit: '1' }))).toEqual(['half-past-ten']);
    expect(ids(await list({ from: '2025-11-24T00:00:00Z' }))).toEqual([
      'half-past-ten',
      'ten',
      'morning',
      'yesterday',
    ]);
  });

  it.each([
    ['from is not a date', { from: 'yesterday' }, /from/],
    ['to is not a date', { from: '2025-11-25T00:00:00Z', to: '25.11.2025' }, /to/],
    [
      'from equals to',
      { from: '2025-11-25T00:00:00Z', to: '2025-11-25T00:00:00Z' },
      /from.*earlier/,
    ],
    [
      'from is after to',
      { from: '2025-11-25T12:00:00Z', to: '2025-11-25T00:00:00Z' },
      /from.*earlier/,
    ],
    ['limit is 0', { limit: '0' }, /limit/],
    ['limit is not a number', { limit: 'all' }, /limit/],
    ['an unknown parameter', { service: '193' }, /additional/],
  ])('refuses a query where %s', async (_name, query, message) => {
    const res = await list(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation', message });
  });
});

describe('GET /api/health', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.app.close());

  it('answers anyone with the documented shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Value.Check(HealthSchema, body)).toBe(true);
    expect(Object.keys(body).sort()).toEqual([
      'db',
      'disk',
      'load',
      'pbx',
      'status',
      'uptimeSeconds',
      'version',
    ]);
    expect(body).toMatchObject({
      status: 'degraded',
      version: '1.2.3',
      db: 'ok',
      pbx: { connected: false, version: null, since: null },
    });
  });

  it('reports a database that does not answer', async () => {
    h.pbx.connected = true;
    h.pbx.dbOk = false;
    const body = (await h.app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(body).toMatchObject({
      status: 'degraded',
      db: 'error',
      pbx: { connected: true, version: '20.10.0' },
    });
  });
});

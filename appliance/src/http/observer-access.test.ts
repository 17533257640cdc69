/**
 * The customer's observer (OBS-13) sees the center's availability figures and nothing else. This
 * walks the whole route table of the app as the composition root builds it (`apiRoutes`) and
 * every live topic, as the observer: each route outside the explicit list below must answer
 * 403, each topic outside it must be refused. A route added later with `anyUser`, or with a
 * permission the observer holds, fails here until it is listed with a reason.
 */
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { permissionsOf, PERMISSIONS } from '../admin/roles.js';
import { NO_PATH_FACTS, type CallFact } from '../calls/reducer.js';
import { CallStore } from '../calls/store.js';
import type { Role } from '../db/schema.js';
import { buildFullTestApp, createUsers, signInAll, type TestSession } from '../test-app.js';
import { authFixture } from '../test-support.js';
import type { App } from './app.js';
import { SESSION_COOKIE } from './guard.js';
import { TOPICS } from './live-hub.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'observer1', role: 'observer' },
  { username: 'supervisor1', role: 'supervisor' },
  { username: 'operator1', role: 'operator' },
];

/** The observer's view: every route it may call, and why. Keys are `METHOD /pattern`. */
const OBSERVER_ROUTES: Record<string, string> = {
  'POST /api/auth/login': 'signing in (public)',
  'GET /api/auth/me': 'its own account',
  'POST /api/auth/logout': 'signing out',
  'GET /api/ws': 'the live socket; its topics are checked one by one below',
  'GET /api/health': 'public for monitoring probes: box and PBX health, no personal data',
  'GET /api/tls/ca.crt': "public: the appliance's CA certificate",
  'GET /api/availability': 'the availability figures (availability:read)',
  'GET /api/calls/summary': "today's call counts (summary:read)",
  'GET /api/sla/today': "today's service-level figures (summary:read)",
};

/** Routes that answer 401 rather than 403, on purpose: they take no console session. */
const UNAUTHENTICATED: Record<string, string> = {
  'GET /metrics': 'the Prometheus scrape wants loopback or its own token, not a session',
};

/** The API's description (OpenAPI and its UI): it documents routes and holds no data. */
const isDocs = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/');

/** Live topics the observer may subscribe to. */
const OBSERVER_TOPICS = ['availability', 'health', 'summary'];

/** The observer's browser is on the customer's network, not the box's loopback. */
const REMOTE = '192.0.2.10';

function methodsOf(r: RouteOptions): string[] {
  return Array.isArray(r.method) ? [...r.method] : [r.method];
}

/** A concrete URL for a route pattern, with plausible values for its parameters. */
function sampleUrl(pattern: string): string {
  return pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (name === 'id') {
      if (pattern.startsWith('/api/calls/')) return '1764050400.17';
      if (pattern.startsWith('/api/flows/')) return 'main';
      if (pattern.startsWith('/api/agents/pause-reasons/')) return 'lunch';
      return '1';
    }
    const values: Record<string, string> = {
      userId: '2',
      date: '2026-05-01',
      language: 'ru',
      name: pattern.startsWith('/api/trunks/') ? 'carrier' : 'welcome',
      version: '1',
      number: '193',
    };
    return values[name] ?? '1';
  });
}

const fact = (id: string, extra: Partial<CallFact>): CallFact => ({
  id,
  direction: 'inbound',
  didRaw: '193',
  did: '193',
  service: '193',
  caller: '77015550123',
  callerName: 'Subscriber Name',
  channel: `PJSIP/carrier-${id}`,
  state: 'answered',
  startedAt: '2025-11-25T11:00:00.000Z',
  answeredAt: '2025-11-25T11:00:00.000Z',
  endedAt: null,
  hangupCause: null,
  endEstimated: false,
  ...NO_PATH_FACTS,
  segments: [],
  ...extra,
});

describe('the observer on every route and topic', () => {
  let app: App;
  const routes: RouteOptions[] = [];
  let as: Record<string, TestSession>;

  beforeAll(async () => {
    const f = await authFixture();
    await createUsers(f, USERS, PASSWORD);
    // A finished call and a caller waiting in a queue, so the figures have something to hide.
    const store = new CallStore(f.db);
    await store.upsert(
      fact('done', {
        state: 'ended',
        endedAt: '2025-11-25T11:02:00.000Z',
        outcome: 'operator',
        queue: 'ru',
        agent: 'operator1',
        waitSeconds: 12,
        recordingPath: '2025/11/25/done.wav',
      }),
      f.clock.now(),
    );
    await store.upsert(
      fact('waiting', { startedAt: '2025-11-25T11:58:00.000Z', queue: 'ru' }),
      f.clock.now(),
    );
    const full = await buildFullTestApp(f, {
      onRoute: (r) => routes.push(r),
      // The SIP WebSocket proxy's routes belong to the table too; nothing listens upstream.
      pbxWebSocket: { host: '127.0.0.1', port: 9 },
    });
    app = full.app;
    await full.services.calls.loadOpenCalls();
    await app.ready();
    as = await signInAll(
      app,
      USERS.map((u) => u.username),
      PASSWORD,
    );
  });
  afterAll(() => app.close());

  const key = (method: string, url: string) => `${method === 'HEAD' ? 'GET' : method} ${url}`;

  it('sees every domain in the route table', () => {
    const urls = new Set(routes.map((r) => r.url));
    for (const url of [
      '/api/auth/me',
      '/api/calls',
      '/ws',
      '/api/tickets',
      '/api/kb/search',
      '/api/chat/conversations',
      '/api/agents',
      '/api/flows',
      '/api/calendar',
      '/api/supervision/staffing',
      '/api/availability',
    ]) {
      expect(urls).toContain(url);
    }
    expect(routes.length).toBeGreaterThan(80);
  });

  it('finds a declared permission on every guarded route', () => {
    const undeclared = routes
      .filter((r) => !isDocs(r.url) && r.url !== '/metrics')
      .filter((r) => !r.config?.public && !r.config?.anyUser && !r.config?.permission)
      .map((r) => `${methodsOf(r).join(',')} ${r.url}`);
    expect(undeclared).toEqual([]);
    for (const r of routes) {
      if (r.config?.permission) expect(PERMISSIONS).toContain(r.config.permission);
    }
  });

  it('answers the observer 403 on every route outside its view', async () => {
    const wrong: string[] = [];
    let walked = 0;
    for (const r of routes) {
      if (isDocs(r.url)) continue;
      for (const method of methodsOf(r)) {
        const k = key(method, r.url);
        if (k in OBSERVER_ROUTES) continue;
        const res = await app.inject({
          method: method as 'GET',
          url: sampleUrl(r.url),
          cookies: as.observer1!.cookies,
          headers: { 'x-csrf-token': as.observer1!.csrf, 'content-type': 'application/json' },
          remoteAddress: REMOTE,
          ...(method === 'GET' || method === 'HEAD' ? {} : { payload: '{}' }),
        });
        walked += 1;
        const expected = k in UNAUTHENTICATED ? 401 : 403;
        if (res.statusCode !== expected) wrong.push(`${k} ${res.statusCode} (want ${expected})`);
        else if (expected === 403 && method !== 'HEAD') {
          const code = (res.json() as { code?: string }).code;
          if (code !== 'forbidden') wrong.push(`${k} 403 ${code}: not the permission check`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(walked).toBeGreaterThan(80);
  });

  it('lists only routes that exist', () => {
    const table = new Set(routes.flatMap((r) => methodsOf(r).map((m) => key(m, r.url))));
    for (const k of [...Object.keys(OBSERVER_ROUTES), ...Object.keys(UNAUTHENTICATED)]) {
      expect(table).toContain(k);
    }
  });

  it('opens the routes of its view, and they carry no number, name, recording or ticket', async () => {
    for (const url of ['/api/availability', '/api/calls/summary', '/api/sla/today']) {
      const res = await app.inject({
        method: 'GET',
        url,
        cookies: as.observer1!.cookies,
        remoteAddress: REMOTE,
      });
      expect(`${url} ${res.statusCode}`).toBe(`${url} 200`);
      for (const secret of ['77015550123', 'Subscriber', 'operator1', '.wav', 'carrier']) {
        expect(res.body, `${url} shows ${secret}`).not.toContain(secret);
      }
    }
    const figures = await app.inject({
      method: 'GET',
      url: '/api/availability',
      cookies: as.observer1!.cookies,
    });
    expect(figures.json()).toMatchObject({
      offered: 1,
      answered: 1,
      waitingNow: 1,
      longestWaitingNowSeconds: 120,
      operators: { ready: 0, not_ready: 1, after_call_work: 0, unreachable: 0, offline: 0 },
    });
  });

  /** Subscribes to every topic the hub knows and returns what it granted and refused. */
  async function subscribeAll(who: string): Promise<{ topics: string[]; denied: string[] }> {
    const ws: WebSocket = await app.injectWS('/api/ws', {
      headers: { cookie: `${SESSION_COOKIE}=${as[who]!.cookies[SESSION_COOKIE]}` },
    });
    try {
      const answer = new Promise<{ topics: string[]; denied: string[] }>((resolve) => {
        ws.on('message', (raw) => {
          const msg = JSON.parse(String(raw)) as {
            type: string;
            topics: string[];
            denied: string[];
          };
          if (msg.type === 'subscribed') resolve(msg);
        });
      });
      ws.send(JSON.stringify({ type: 'subscribe', topics: Object.keys(TOPICS) }));
      const { topics, denied } = await answer;
      return { topics: [...topics].sort(), denied: [...denied].sort() };
    } finally {
      ws.terminate();
    }
  }

  it('refuses the observer every live topic outside its view', async () => {
    const all = Object.keys(TOPICS).sort();
    const got = await subscribeAll('observer1');
    expect(got.topics).toEqual(OBSERVER_TOPICS);
    expect(got.denied).toEqual(all.filter((t) => !OBSERVER_TOPICS.includes(t)));
    // The topics it gets are exactly those its permissions open.
    const mine = permissionsOf('observer');
    expect(
      Object.entries(TOPICS)
        .filter(([, p]) => mine.includes(p))
        .map(([t]) => t)
        .sort(),
    ).toEqual(OBSERVER_TOPICS);
  });

  it('gives the supervisor the staffing alerts and the floor', async () => {
    const got = await subscribeAll('supervisor1');
    expect(got.topics).toEqual(expect.arrayContaining(['staffing', 'agents', 'availability']));
  });
});

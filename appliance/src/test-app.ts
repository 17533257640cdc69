/**
 * The controller's HTTP app for route tests: every dependency a route test does not care about
 * (calls, health, metrics, the live hub) filled with a quiet real one, and users signed in through
 * the real login route.
 */
import { CallService } from './calls/service.js';
import type { Role } from './db/schema.js';
import { CallStore } from './calls/store.js';
import { HealthService } from './device/health.js';
import { buildApp, type App, type AppDeps } from './http/app.js';
import { SESSION_COOKIE } from './http/guard.js';
import { LiveHub } from './http/live-hub.js';
import { Metrics } from './http/metrics.js';
import { SERVICES, silentLogger, type AuthFixture } from './test-support.js';
import { startOfDay } from './time.js';

export async function buildTestApp(f: AuthFixture, deps: Partial<AppDeps> = {}): Promise<App> {
  return buildApp({
    auth: f.auth,
    users: f.users,
    calls: new CallService(
      new CallStore(f.db),
      { services: SERVICES, now: f.clock.now },
      silentLogger,
      (at) => startOfDay(at),
    ),
    health: new HealthService({
      version: '1',
      dataDir: '/tmp',
      pingDb: async () => true,
      pbx: () => ({ connected: false, version: null, since: null, lastError: null }),
      startedAt: Date.now(),
    }),
    hub: new LiveHub(f.auth),
    metrics: new Metrics(),
    now: f.clock.now,
    version: '1',
    uiDir: null,
    pbxWebSocket: null,
    caCert: null,
    metricsToken: '',
    ...deps,
  });
}

export interface TestSession {
  cookies: Record<string, string>;
  csrf: string;
}

/** Signs each user in with `password`; their session cookie and CSRF token by username. */
export async function signInAll(
  app: App,
  usernames: readonly string[],
  password: string,
): Promise<Record<string, TestSession>> {
  const sessions: Record<string, TestSession> = {};
  for (const username of usernames) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
    });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    if (res.statusCode !== 200 || !cookie) {
      throw new Error(`sign-in of ${username} failed: ${res.statusCode} ${res.body}`);
    }
    sessions[username] = {
      cookies: { [SESSION_COOKIE]: cookie.value },
      csrf: (res.json() as { csrfToken: string }).csrfToken,
    };
  }
  return sessions;
}

/** Creates each user (display name = username, Russian UI) with `password`; their ids by name. */
export async function createUsers(
  f: AuthFixture,
  users: ReadonlyArray<{ username: string; role: Role }>,
  password: string,
): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const u of users) {
    ids[u.username] = await f.auth.createUser({
      username: u.username,
      displayName: u.username,
      password,
      role: u.role,
      language: 'ru',
    });
  }
  return ids;
}

/**
 * The controller's HTTP app for route tests: every dependency a route test does not care about
 * (calls, health, metrics, the live hub) filled with a quiet real one, and users signed in through
 * the real login route.
 */
import os from 'node:os';
import path from 'node:path';
import { nodeCrypto } from './admin/crypto.js';
import { AgentService } from './agents/service.js';
import { AgentStore } from './agents/store.js';
import { apiRoutes, type ApiServices } from './api-routes.js';
import { CallControl } from './callcontrol/service.js';
import { CallService } from './calls/service.js';
import type { Role } from './db/schema.js';
import { CallStore } from './calls/store.js';
import { ChatService } from './chat/service.js';
import { ChatStore } from './chat/store.js';
import { HealthService } from './device/health.js';
import { Dispositions } from './dispositions/service.js';
import { FlowService } from './flows/service.js';
import { FlowStore } from './flows/store.js';
import { buildApp, type App, type AppDeps } from './http/app.js';
import { SESSION_COOKIE } from './http/guard.js';
import { LiveHub } from './http/live-hub.js';
import { Metrics } from './http/metrics.js';
import { CalendarService } from './pbx/calendar-service.js';
import { PbxStore } from './pbx/store.js';
import { PromptService } from './prompts/service.js';
import { Integrations } from './servicedesk/integrations.js';
import { KbService } from './servicedesk/kb/service.js';
import { KbStore } from './servicedesk/kb/store.js';
import { ServiceDesk } from './servicedesk/service.js';
import { createSupervision } from './supervision/index.js';
import { SERVICES, silentLogger, type AuthFixture } from './test-support.js';
import { startOfDay } from './time.js';

function testCalls(f: AuthFixture): CallService {
  return new CallService(
    new CallStore(f.db),
    { services: SERVICES, now: f.clock.now },
    silentLogger,
    (at) => startOfDay(at),
  );
}

export async function buildTestApp(f: AuthFixture, deps: Partial<AppDeps> = {}): Promise<App> {
  return buildApp({
    auth: f.auth,
    users: f.users,
    calls: testCalls(f),
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

/**
 * The whole controller app, every domain's routes included (`apiRoutes`, as the composition
 * root registers them), on the fixture's database with quiet real services and no PBX: for
 * tests that walk the whole route table.
 */
export async function buildFullTestApp(
  f: AuthFixture,
  deps: Partial<AppDeps> = {},
): Promise<{ app: App; services: ApiServices; hub: LiveHub }> {
  const now = f.clock.now;
  const hub = deps.hub ?? new LiveHub(f.auth);
  const calls = deps.calls ?? testCalls(f);
  const pbxStore = new PbxStore(f.db);
  const syncPbx = async () => undefined;
  const calendar = new CalendarService(f.db, pbxStore, syncPbx, now);
  const flowStore = new FlowStore(f.db);
  const agentStore = new AgentStore(f.db);
  const agents = new AgentService({ store: agentStore, now, logger: silentLogger });
  await agents.load();
  const integrations = new Integrations(f.db, nodeCrypto, now);
  const scratch = path.join(os.tmpdir(), 'kcc-test-prompts');
  const services: ApiServices = {
    db: f.db,
    now,
    auth: f.auth,
    users: f.users,
    audit: f.audit,
    syncPbx,
    pbxStore,
    pbxLink: () => null,
    calls,
    serviceDesk: new ServiceDesk(f.db, { now, logger: silentLogger }),
    integrations,
    flows: new FlowService({
      store: flowStore,
      context: async () => ({ prompts: new Set<string>(), queues: new Set<string>() }),
      syncPbx,
      now,
    }),
    flowStore,
    calendar,
    prompts: new PromptService(f.db, scratch, scratch, now),
    kb: new KbService({ store: new KbStore(f.db), now }),
    callControl: new CallControl(() => null, {
      phones: async () => new Map(),
      queues: async () => [],
      canDialOut: async () => false,
    }),
    dispositions: new Dispositions(f.db, now),
    chat: new ChatService({ store: new ChatStore(f.db), now }),
    agents,
    agentStore,
    supervision: createSupervision({
      db: f.db,
      audit: f.audit,
      users: f.users,
      settings: pbxStore,
      agents,
      calls,
      calendar,
      hub,
      now,
      logger: silentLogger,
    }),
  };
  const app = await buildTestApp(f, {
    hub,
    calls,
    resolveApiToken: integrations.resolveToken,
    routes: apiRoutes(services),
    ...deps,
  });
  return { app, services, hub };
}

/**
 * The HTTP application: API, console WebSocket, the PBX's SIP WebSocket and the console's files
 * on one origin. Built as a function of its services so tests drive it with `inject()` and the
 * composition root (`main.ts`) only adds TLS and `listen`.
 */
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import { existsSync } from 'node:fs';
import type { AuthService } from '../admin/auth-service.js';
import { authRoutes } from '../admin/auth-routes.js';
import { softphoneRoutes } from '../agents/softphone-routes.js';
import type { UserStore } from '../admin/users-store.js';
import { callRoutes } from '../calls/routes.js';
import type { CallService } from '../calls/service.js';
import { deviceRoutes } from '../device/routes.js';
import type { HealthService } from '../device/health.js';
import { notFoundBody, registerErrorHandler } from './errors.js';
import { isGuardedPath, registerGuard, type ApiTokenResolver } from './guard.js';
import type { LiveHub } from './live-hub.js';
import { registerMetrics, type Metrics } from './metrics.js';
import { registerSipProxy } from './sip-proxy.js';

export interface AppDeps {
  auth: AuthService;
  users: UserStore;
  calls: CallService;
  health: HealthService;
  hub: LiveHub;
  metrics: Metrics;
  now: () => Date;
  version: string;
  /** Built console; null serves the API only. */
  uiDir: string | null;
  /** Asterisk's loopback HTTP server, for the SIP WebSocket; null disables the proxy. */
  pbxWebSocket: { host: string; port: number } | null;
  caCert: string | null;
  metricsToken: string;
  /** API clients' bearer tokens (Service Desk API); absent: no route takes tokens. */
  resolveApiToken?: ApiTokenResolver;
  /** Further domains' routes, registered after the core ones. */
  routes?: FastifyPluginAsyncTypebox[];
  /** Service number → caller ID for operators' calls out (the softphone offers the choice). */
  outboundCallerIds?: () => Promise<Record<string, string>>;
  /** Called for every route as it is added, so a test can audit the whole route table. */
  onRoute?: (route: RouteOptions) => void;
}

export type App = FastifyInstance;

export type ServerOptions = FastifyServerOptions & { https?: { key: string; cert: string } };

export async function buildApp(deps: AppDeps, server: ServerOptions = {}): Promise<App> {
  // Fastify's overloads type HTTPS and plain servers apart; the app is the same for both.
  const app = (Fastify as (o: ServerOptions) => FastifyInstance)({
    bodyLimit: 1024 * 1024,
    // Behind no proxy: the client address is the socket's.
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    ...server,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const { onRoute } = deps;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));

  registerErrorHandler(app);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'KCC contact-center appliance API',
        version: deps.version,
        description:
          'Controller API. Sign in with POST /api/auth/login; send X-CSRF-Token on changes.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'kcc_session' },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  registerGuard(app, deps.auth, deps.resolveApiToken);
  registerMetrics(app, deps.metrics, deps.metricsToken);

  deps.hub.register(app);
  await app.register(authRoutes(deps.auth, deps.hub));
  await app.register(callRoutes(deps.calls, deps.now));
  await app.register(softphoneRoutes(deps.users, deps.outboundCallerIds ?? (async () => ({}))));
  await app.register(deviceRoutes(deps.health, deps.caCert));
  for (const routes of deps.routes ?? []) await app.register(routes);

  if (deps.pbxWebSocket) registerSipProxy(app, deps.pbxWebSocket);

  const spa = deps.uiDir !== null && existsSync(deps.uiDir);
  if (spa) {
    await app.register(fastifyStatic, {
      root: deps.uiDir!,
      wildcard: false,
      index: ['index.html'],
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // The console is a single-page app: unknown non-API paths get its index.
    if (spa && req.method === 'GET' && !isGuardedPath(req.url)) return reply.sendFile('index.html');
    return reply.status(404).send(notFoundBody(req.method, req.url));
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    void reply.header('x-frame-options', 'DENY');
    return payload;
  });
  return app;
}

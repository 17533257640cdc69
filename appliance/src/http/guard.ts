/**
 * The access check every request passes. Routes under `/api` (and the SIP WebSocket) must say
 * in their config either `public: true`, `anyUser: true` or the `permission` they need; a route
 * that says nothing is refused, so a forgotten check fails closed. State-changing requests also
 * need the session's CSRF token in `X-CSRF-Token`.
 *
 * Routes that other systems call (the Service Desk API, SD-30) also say `apiToken: true`: they
 * accept `Authorization: Bearer <token>` of an API client instead of a session. A token carries no
 * role and opens only those routes; it needs no CSRF header, as no browser sends it by itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../admin/errors.js';
import type { AuthService, Session } from '../admin/auth-service.js';
import type { Permission } from '../admin/roles.js';

export const SESSION_COOKIE = 'kcc_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
    anyUser?: boolean;
    permission?: Permission;
    /** Exempt from the CSRF header (only the login, which has no session yet). */
    noCsrf?: boolean;
    /** Also open to API clients with a bearer token (instead of a session). */
    apiToken?: boolean;
  }
  interface FastifyRequest {
    session: Session | null;
    /** The API client's name when the request came with its bearer token. */
    apiClient: string | null;
  }
}

/** Resolves an API client's bearer token to the client's name (null: unknown or revoked). */
export type ApiTokenResolver = (token: string) => Promise<string | null>;

/** Paths the guard protects; everything else is the console's static files. */
export function isGuardedPath(url: string): boolean {
  return (
    url.startsWith('/api/') ||
    url === '/api' ||
    url === '/ws' ||
    url.startsWith('/ws/') ||
    url.startsWith('/ws?')
  );
}

export function registerGuard(
  app: FastifyInstance,
  auth: AuthService,
  resolveApiToken?: ApiTokenResolver,
): void {
  app.decorateRequest('session', null);
  app.decorateRequest('apiClient', null);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    // No matching route: let the 404 handler answer.
    const route = req.routeOptions.url;
    if (route === undefined) return;
    // Decide on the route that matched, not the raw URL: the router decodes the path, so
    // `/%61pi/calls` reaches `/api/calls`.
    if (!isGuardedPath(route) || route.startsWith('/api/docs')) return;
    const cfg = req.routeOptions.config;
    const bearer = /^Bearer (\S{1,200})$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      const client = cfg.apiToken && resolveApiToken ? await resolveApiToken(bearer) : null;
      if (!client) {
        throw new AppError(
          401,
          'unauthenticated',
          cfg.apiToken ? 'Unknown or revoked API token' : 'This route does not take API tokens',
        );
      }
      req.apiClient = client;
      return;
    }
    req.session = await auth.resolve(req.cookies[SESSION_COOKIE]);
    if (cfg.public) return;
    if (!req.session) throw new AppError(401, 'unauthenticated', 'Sign in first');
    if (cfg.permission) {
      if (!req.session.user.permissions.includes(cfg.permission)) {
        throw new AppError(403, 'forbidden', `Your role has no permission ${cfg.permission}`);
      }
    } else if (!cfg.anyUser) {
      throw new AppError(403, 'forbidden', 'This route declares no permission and is closed');
    }
    if (!SAFE_METHODS.has(req.method) && !cfg.noCsrf) {
      if (req.headers['x-csrf-token'] !== req.session.csrfToken) {
        throw new AppError(403, 'csrf', 'Missing or wrong X-CSRF-Token header');
      }
    }
  });
}

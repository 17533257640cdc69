/**
 * The access check every request passes. Routes under `/api` (and the SIP WebSocket) must say
 * in their config either `public: true`, `anyUser: true` or the `permission` they need; a route
 * that says nothing is refused, so a forgotten check fails closed. State-changing requests also
 * need the session's CSRF token in `X-CSRF-Token`.
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
  }
  interface FastifyRequest {
    session: Session | null;
  }
}

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

export function registerGuard(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    // No matching route: let the 404 handler answer.
    const route = req.routeOptions.url;
    if (route === undefined) return;
    // Decide on the route that matched, not the raw URL: the router decodes the path, so
    // `/%61pi/calls` reaches `/api/calls`.
    if (!isGuardedPath(route) || route.startsWith('/api/docs')) return;
    const cfg = req.routeOptions.config;
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

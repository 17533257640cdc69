import type { Role } from './types';

export type Route =
  'login' | 'operator' | 'supervisor' | 'admin' | 'observer' | 'wallboard' | 'kb' | 'tickets';

const ROUTES: readonly Route[] = [
  'login',
  'operator',
  'supervisor',
  'admin',
  'observer',
  'wallboard',
  'kb',
  'tickets',
];

/** The view each role lands on after login. */
export function landingFor(role: Role): Route {
  switch (role) {
    case 'operator':
    case 'second_line':
      return 'operator';
    case 'supervisor':
      return 'supervisor';
    case 'administrator':
      return 'admin';
    case 'observer':
      return 'observer';
  }
}

/**
 * Views a role may open: its own landing, the wallboard for those who watch the floor, and the
 * knowledge base for those who answer subscribers or write its articles (kb:read), and the
 * Service Desk for those who work tickets.
 */
export function canOpen(role: Role, route: Route): boolean {
  if (route === 'login') return false;
  if (route === 'kb') return role !== 'observer';
  // The Service Desk (tickets:work): the roles that register and work subscribers' requests.
  if (route === 'tickets')
    return role === 'operator' || role === 'second_line' || role === 'supervisor';
  if (route === 'wallboard')
    return role === 'supervisor' || role === 'administrator' || role === 'observer';
  return landingFor(role) === route;
}

export function parseHash(hash: string): Route | null {
  const path = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : null;
}

/** A hash router: `#/operator`, `#/wallboard` … */
class Router {
  #route = $state<Route | null>(typeof location === 'undefined' ? null : parseHash(location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.#route = parseHash(location.hash);
      });
    }
  }

  /** The route in the address bar; null when the hash names no view. */
  get route(): Route | null {
    return this.#route;
  }

  go(route: Route, options: { replace?: boolean } = {}): void {
    const hash = `#/${route}`;
    if (location.hash !== hash) {
      if (options.replace) history.replaceState(history.state, '', hash);
      else history.pushState(history.state, '', hash);
    }
    this.#route = route;
  }
}

export const router = new Router();

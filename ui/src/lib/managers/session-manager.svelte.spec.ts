import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../api';
import type { User } from '../types';
import { SessionManager } from './session-manager.svelte';

const user: User = {
  id: 7,
  username: 'aigerim',
  displayName: 'Айгерім',
  role: 'operator',
  permissions: ['calls.read'],
  language: 'kk',
};

function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function setup(responses: Response[]) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error(`unexpected request ${String(url)}`);
    return next;
  });
  const client = new ApiClient(fetchImpl as unknown as typeof fetch);
  return { client, calls, session: new SessionManager(client) };
}

describe('SessionManager', () => {
  it('restores a session from /api/auth/me and keeps the CSRF token', async () => {
    const { session, client } = setup([json(200, { user, csrfToken: 'tok-1' })]);
    await expect(session.restore()).resolves.toEqual(user);
    expect(session.status).toBe('authenticated');
    expect(session.user?.displayName).toBe('Айгерім');
    expect(client.csrfToken).toBe('tok-1');
  });

  it('is anonymous when /api/auth/me answers 401', async () => {
    const { session } = setup([
      json(401, { statusCode: 401, error: 'Unauthorized', message: 'no session' }),
    ]);
    await expect(session.restore()).resolves.toBeNull();
    expect(session.status).toBe('anonymous');
    expect(session.isAuthenticated).toBe(false);
  });

  it('throws the server error on a failed login, with its code and retry time', async () => {
    const { session } = setup([
      json(401, {
        statusCode: 401,
        error: 'Unauthorized',
        code: 'invalid_credentials',
        message: 'Invalid',
      }),
      json(429, {
        statusCode: 429,
        error: 'Too Many Requests',
        code: 'locked',
        message: 'Locked',
        retryAfterSeconds: 600,
      }),
    ]);
    await expect(session.login('a', 'b')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    const locked = await session.login('a', 'b').catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(ApiError);
    expect(locked).toMatchObject({
      status: 429,
      code: 'locked',
      retryAfterSeconds: 600,
      message: 'Locked',
    });
    expect(session.user).toBeNull();
  });

  it('sends the CSRF token on logout and not on GET', async () => {
    const { session, calls } = setup([
      json(200, { user, csrfToken: 'tok-2' }),
      new Response(null, { status: 204 }),
    ]);
    await session.login('aigerim', 'pw');
    await session.logout();
    const [login, logout] = calls;
    expect(login?.init.method).toBe('POST');
    expect(JSON.parse(String(login?.init.body))).toEqual({ username: 'aigerim', password: 'pw' });
    expect(login?.init.credentials).toBe('same-origin');
    expect((logout?.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-2');
    expect(session.status).toBe('anonymous');
  });

  it('expires when another API call answers 401', async () => {
    const { session, client } = setup([
      json(200, { user, csrfToken: 't' }),
      json(401, { statusCode: 401, error: 'Unauthorized', message: 'expired' }),
    ]);
    await session.login('aigerim', 'pw');
    await expect(client.get('/api/calls/live')).rejects.toMatchObject({ status: 401 });
    expect(session.user).toBeNull();
    expect(session.expired).toBe(true);
  });

  it('maps a network failure to ApiError status 0', async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const session = new SessionManager(new ApiClient(fetchImpl as unknown as typeof fetch));
    await expect(session.login('a', 'b')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('does not call a logout an expiry, even if the socket closes with 4401 meanwhile', async () => {
    let finish: (response: Response) => void = () => {};
    const responses: Array<Response | Promise<Response>> = [
      json(200, { user, csrfToken: 't' }),
      new Promise<Response>((r) => {
        finish = r;
      }),
    ];
    const client = new ApiClient((async () => responses.shift()!) as unknown as typeof fetch);
    const session = new SessionManager(client);
    await session.login('aigerim', 'pw');
    const out = session.logout();
    session.expire();
    finish(new Response(null, { status: 204 }));
    await out;
    expect(session.expired).toBe(false);
    expect(session.can('calls:read')).toBe(false);
  });

  it('answers permission questions for the signed-in user', async () => {
    const { session } = setup([
      json(200, { user: { ...user, permissions: ['calls:read'] }, csrfToken: 't' }),
    ]);
    await session.login('aigerim', 'pw');
    expect(session.can('calls:read')).toBe(true);
    expect(session.can('users:manage')).toBe(false);
  });
});

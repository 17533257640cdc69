/**
 * The chat API through Fastify: permissions (observers have no chat), validation naming the
 * field, status codes of idempotent sends, and live events reaching participants only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Role } from '../db/schema.js';
import type { App } from '../http/app.js';
import { buildTestApp, signInAll, createUsers } from '../test-app.js';
import { SESSION_COOKIE } from '../http/guard.js';
import { LiveHub } from '../http/live-hub.js';
import { authFixture } from '../test-support.js';
import { chatRoutes } from './routes.js';
import { ChatService } from './service.js';
import { ChatStore } from './store.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'operator1', role: 'operator' },
  { username: 'operator2', role: 'operator' },
  { username: 'operator3', role: 'operator' },
  { username: 'supervisor1', role: 'supervisor' },
  { username: 'observer1', role: 'observer' },
];

interface Session {
  cookies: Record<string, string>;
  headers: Record<string, string>;
}

describe('/api/chat routes', () => {
  let app: App;
  const as: Record<string, Session> = {};

  beforeAll(async () => {
    const f = await authFixture();
    await createUsers(f, USERS, PASSWORD);
    const hub = new LiveHub(f.auth);
    const chat = new ChatService({ store: new ChatStore(f.db), now: f.clock.now });
    chat.on('message', (to, data) => hub.publishTo(to, 'chat', 'chat.message', data));
    chat.on('read', (to, data) => hub.publishTo(to, 'chat', 'chat.read', data));
    app = await buildTestApp(f, { hub, routes: [chatRoutes(chat)] });
    const sessions = await signInAll(
      app,
      USERS.map((u) => u.username),
      PASSWORD,
    );
    for (const [username, session] of Object.entries(sessions)) {
      as[username] = { cookies: session.cookies, headers: { 'x-csrf-token': session.csrf } };
    }
  });
  afterAll(() => app.close());

  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      ...as[who],
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  /** A console socket subscribed to `chat`, collecting the events it receives. */
  async function socketOf(who: string): Promise<{ ws: WebSocket; events: unknown[] }> {
    const ws = await app.injectWS('/api/ws', {
      headers: { cookie: `${SESSION_COOKIE}=${as[who]!.cookies[SESSION_COOKIE]}` },
    });
    const events: unknown[] = [];
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string };
        if (msg.type === 'subscribed') resolve();
        if (msg.type === 'event') events.push(msg);
      });
    });
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['chat'] }));
    await subscribed;
    return { ws, events };
  }

  let conversationId: number;

  it('refuses the observer every chat route (no chat:use)', async () => {
    for (const [method, url] of [
      ['GET', '/api/chat/conversations'],
      ['GET', '/api/chat/colleagues'],
      ['POST', '/api/chat/direct'],
      ['POST', '/api/chat/conversations/1/messages'],
    ] as const) {
      const res = await call('observer1', method, url, method === 'POST' ? {} : undefined);
      expect(`${method} ${url} ${res.statusCode}`).toBe(`${method} ${url} 403`);
      expect(res.json()).toMatchObject({ message: expect.stringContaining('chat:use') });
    }
  });

  it('lists colleagues, without observers or oneself', async () => {
    const res = await call('operator1', 'GET', '/api/chat/colleagues');
    expect(res.statusCode).toBe(200);
    expect(
      (res.json() as { items: Array<{ username: string }> }).items.map((c) => c.username),
    ).toEqual(['operator2', 'operator3', 'supervisor1']);
  });

  it('opens a direct conversation once (201), then the same one (200)', async () => {
    const first = await call('operator1', 'POST', '/api/chat/direct', { username: 'operator2' });
    expect(first.statusCode).toBe(201);
    conversationId = (first.json() as { id: number }).id;
    const again = await call('operator2', 'POST', '/api/chat/direct', { username: 'operator1' });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { id: number }).id).toBe(conversationId);
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/chat/direct', {}, /username/],
      ['POST', '/api/chat/direct', { username: 'observer1' }, /^username: /],
      ['POST', `/api/chat/conversations/${conversationId}/messages`, { body: '' }, /body/],
      [
        'POST',
        `/api/chat/conversations/${conversationId}/messages`,
        { body: 'x'.repeat(4001) },
        /body/,
      ],
      [
        'POST',
        `/api/chat/conversations/${conversationId}/messages`,
        { body: 'hi', clientId: 'has spaces' },
        /clientId/,
      ],
      [
        'POST',
        `/api/chat/conversations/${conversationId}/messages`,
        { body: 'hi', extra: 1 },
        /extra/,
      ],
      ['POST', `/api/chat/conversations/${conversationId}/read`, { upTo: -1 }, /upTo/],
      ['GET', `/api/chat/conversations/${conversationId}/messages?limit=0`, undefined, /limit/],
      ['GET', '/api/chat/conversations/abc/messages', undefined, /id/],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await call('operator1', method as 'GET' | 'POST', url, payload);
      expect(`${method} ${url} ${res.statusCode}`).toBe(`${method} ${url} 400`);
      expect((res.json() as { message: string }).message).toMatch(field);
    }
  });

  it('sends live only to participants, once per client id, and clears unread on read', async () => {
    const op2 = await socketOf('operator2');
    const op3 = await socketOf('operator3');
    try {
      const url = `/api/chat/conversations/${conversationId}/messages`;
      const sent = await call('operator1', 'POST', url, { body: 'Сәлем!', clientId: 'k-1' });
      expect(sent.statusCode).toBe(201);
      const resent = await call('operator1', 'POST', url, { body: 'Сәлем!', clientId: 'k-1' });
      expect(resent.statusCode).toBe(200);
      const message = sent.json() as { id: number };
      expect((resent.json() as { id: number }).id).toBe(message.id);

      await expect.poll(() => op2.events.length, { timeout: 2000 }).toBe(1);
      expect(op2.events[0]).toMatchObject({
        topic: 'chat',
        event: 'chat.message',
        data: { conversationId, message: { id: message.id, body: 'Сәлем!' } },
      });

      const list = await call('operator2', 'GET', '/api/chat/conversations');
      expect(list.json()).toMatchObject({ unreadTotal: 1, items: [{ id: conversationId }] });
      const page = await call('operator2', 'GET', `${url}?limit=10`);
      expect(page.json()).toMatchObject({ items: [{ id: message.id }], hasMore: false });

      const read = await call(
        'operator2',
        'POST',
        `/api/chat/conversations/${conversationId}/read`,
        {
          upTo: message.id,
        },
      );
      expect(read.json()).toMatchObject({ lastReadMessageId: message.id, unread: 0 });
      await expect.poll(() => op2.events.length, { timeout: 2000 }).toBe(2);
      expect(op2.events[1]).toMatchObject({ event: 'chat.read', data: { username: 'operator2' } });
      expect((await call('operator2', 'GET', '/api/chat/conversations')).json()).toMatchObject({
        unreadTotal: 0,
      });

      // operator3 takes no part: nothing reached their socket, and the API refuses them.
      expect(op3.events).toEqual([]);
      expect((await call('operator3', 'GET', `${url}`)).statusCode).toBe(403);
      expect((await call('operator3', 'POST', url, { body: 'Я тоже' })).statusCode).toBe(403);
      expect((await call('operator3', 'GET', '/api/chat/conversations')).json()).toEqual({
        items: [],
        unreadTotal: 0,
      });
    } finally {
      op2.ws.terminate();
      op3.ws.terminate();
    }
  });

  it('lets supervisors create groups and broadcast; operators may not', async () => {
    const group = { name: 'Смена А', members: ['operator1', 'operator2'] };
    expect((await call('operator1', 'POST', '/api/chat/groups', group)).statusCode).toBe(403);
    const created = await call('supervisor1', 'POST', '/api/chat/groups', group);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'group', name: 'Смена А', myRole: 'owner' });
    const bad = await call('supervisor1', 'POST', '/api/chat/groups', {
      name: 'Смена Б',
      members: ['operator1', 'observer1'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: expect.stringMatching(/^members\[1\]: /) });

    const broadcast = { role: 'operator', body: 'Планёрка в 14:00', clientId: 'b-1' };
    expect((await call('operator1', 'POST', '/api/chat/broadcasts', broadcast)).statusCode).toBe(
      403,
    );
    const sent = await call('supervisor1', 'POST', '/api/chat/broadcasts', broadcast);
    expect(sent.statusCode).toBe(201);
    const again = await call('supervisor1', 'POST', '/api/chat/broadcasts', broadcast);
    expect(again.statusCode).toBe(200);
    const list = await call('operator3', 'GET', '/api/chat/conversations');
    expect(list.json()).toMatchObject({
      unreadTotal: 1,
      items: [{ kind: 'broadcast', audienceRole: 'operator', canPost: false }],
    });
  });
});

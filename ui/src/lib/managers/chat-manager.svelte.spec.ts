import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import type { ChatConversation, ChatMessage } from '../chat/types';
import { ChatManager, conversationTitle } from './chat-manager.svelte';
import { LiveManager } from './live-manager.svelte';

function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function message(id: number, author: string, body = `m${id}`): ChatMessage {
  return {
    id,
    conversationId: 7,
    author: { username: author, displayName: author.toUpperCase() },
    body,
    visibility: 'all',
    clientId: null,
    createdAt: `2026-11-25T10:00:${String(id).padStart(2, '0')}.000Z`,
  };
}

function conversation(patch: Partial<ChatConversation> = {}): ChatConversation {
  return {
    id: 7,
    kind: 'direct',
    name: null,
    audienceRole: null,
    createdAt: '2026-11-25T09:00:00.000Z',
    lastActivityAt: '2026-11-25T10:00:01.000Z',
    myRole: 'member',
    canPost: true,
    participants: [
      { username: 'operator1', displayName: 'Әсел', role: 'member', lastReadMessageId: 1 },
      { username: 'operator2', displayName: 'Ирина', role: 'member', lastReadMessageId: 0 },
    ],
    lastMessage: message(1, 'operator1'),
    lastReadMessageId: 0,
    unread: 1,
    ...patch,
  };
}

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function setup(handler: Handler, visible = { value: true }) {
  const calls: Array<{ method: string; url: string; body: unknown }> = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(url),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    return handler(String(url), init ?? {});
  });
  let n = 0;
  const chat = new ChatManager(
    new ApiClient(fetchImpl as unknown as typeof fetch),
    new LiveManager({ createSocket: () => ({}) as never, url: () => '' }),
    { isVisible: () => visible.value, newClientId: () => `c-${++n}` },
  );
  return { chat, calls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function standard(extra: Handler = () => json(404, {})): Handler {
  return (url, init) => {
    if (url === '/api/chat/conversations')
      return json(200, { items: [conversation()], unreadTotal: 1 });
    if (url.startsWith('/api/chat/conversations/7/messages') && (init.method ?? 'GET') === 'GET')
      return json(200, { items: [message(1, 'operator1')], hasMore: false });
    if (url === '/api/chat/conversations/7/read') {
      const upTo = (JSON.parse(String(init.body)) as { upTo: number }).upTo;
      return json(200, {
        conversationId: 7,
        username: 'operator2',
        lastReadMessageId: upTo,
        unread: 0,
      });
    }
    return extra(url, init);
  };
}

describe('ChatManager', () => {
  it('names a conversation by the other person, the group or the role reached', () => {
    const role = (r: string) => `role:${r}`;
    const all = (r: string) => `all:${r}`;
    expect(conversationTitle(conversation(), 'operator2', role, all)).toBe('Әсел');
    expect(conversationTitle(conversation(), 'operator1', role, all)).toBe('Ирина');
    expect(conversationTitle(conversation({ kind: 'group', name: 'Смена' }), 'x', role, all)).toBe(
      'Смена',
    );
    expect(
      conversationTitle(
        conversation({ kind: 'broadcast', audienceRole: 'operator' }),
        'x',
        role,
        all,
      ),
    ).toBe('all:role:operator');
  });

  it('counts unread from the list and live messages by others, not one’s own', async () => {
    const { chat } = setup(standard());
    chat.start('operator2');
    await flush();
    expect(chat.unreadTotal).toBe(1);
    chat.receive({ conversationId: 7, message: message(2, 'operator1') });
    expect(chat.unreadTotal).toBe(2);
    // The same event twice (a resync) counts once.
    chat.select(7);
    chat.hide();
    await flush();
    chat.receive({ conversationId: 7, message: message(2, 'operator1') });
    expect(chat.unreadTotal).toBe(2);
    chat.receive({ conversationId: 7, message: message(3, 'operator2') });
    expect(chat.unreadTotal).toBe(0);
    expect(chat.conversations[0]!.lastMessage?.id).toBe(3);
  });

  it('marks the open conversation read only while the panel is open and the page visible', async () => {
    const visible = { value: false };
    const { chat, calls } = setup(standard(), visible);
    chat.start('operator2');
    await flush();
    chat.show();
    chat.select(7);
    await flush();
    expect(calls.filter((c) => c.url.endsWith('/read'))).toEqual([]);
    expect(chat.unreadTotal).toBe(1);
    visible.value = true;
    chat.markActiveRead();
    await flush();
    expect(calls.filter((c) => c.url.endsWith('/read'))).toEqual([
      { method: 'POST', url: '/api/chat/conversations/7/read', body: { upTo: 1 } },
    ]);
    expect(chat.unreadTotal).toBe(0);
    // A message arriving while the conversation is in view is read at once.
    chat.receive({ conversationId: 7, message: message(4, 'operator1') });
    await flush();
    expect(chat.unreadTotal).toBe(0);
    expect(calls.at(-1)).toMatchObject({ body: { upTo: 4 } });
    expect(chat.activeThread?.items.map((m) => m.id)).toEqual([1, 4]);
  });

  it('keeps a draft per conversation', () => {
    const { chat } = setup(standard());
    chat.setDraft(7, 'Сәлем');
    chat.setDraft(8, 'Привет');
    expect(chat.draft(7)).toBe('Сәлем');
    expect(chat.draft(8)).toBe('Привет');
    expect(chat.draft(9)).toBe('');
  });

  it('keeps a message that failed to send and resends it with the same client id', async () => {
    let fail = true;
    const { chat, calls } = setup(
      standard((url, init) => {
        if (url === '/api/chat/conversations/7/messages' && init.method === 'POST') {
          if (fail) return Promise.reject(new TypeError('Failed to fetch'));
          return json(201, { ...message(5, 'operator2', 'Иду'), clientId: 'c-1' });
        }
        return json(404, {});
      }),
    );
    chat.start('operator2');
    await flush();
    chat.select(7);
    await flush();
    chat.setDraft(7, '   ');
    expect(chat.send()).toBe(false);
    chat.setDraft(7, 'Иду');
    expect(chat.send()).toBe(true);
    expect(chat.draft(7)).toBe('');
    await flush();
    expect(chat.activeOutgoing).toMatchObject([
      { clientId: 'c-1', state: 'failed', error: { status: 0 } },
    ]);
    fail = false;
    chat.retry('c-1');
    await flush();
    const posts = calls.filter((c) => c.method === 'POST' && c.url.endsWith('/messages'));
    expect(posts.map((p) => p.body)).toEqual([
      { body: 'Иду', clientId: 'c-1' },
      { body: 'Иду', clientId: 'c-1' },
    ]);
    expect(chat.activeOutgoing).toEqual([]);
    expect(chat.activeThread?.items.map((m) => m.id)).toEqual([1, 5]);
  });

  it('reloads the list when a message arrives in a conversation it does not know', async () => {
    const { chat, calls } = setup(standard());
    chat.start('operator2');
    await flush();
    const before = calls.filter((c) => c.url === '/api/chat/conversations').length;
    chat.receive({
      conversationId: 99,
      message: { ...message(9, 'operator3'), conversationId: 99 },
    });
    await flush();
    expect(calls.filter((c) => c.url === '/api/chat/conversations').length).toBe(before + 1);
  });
});

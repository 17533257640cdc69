/** The chat service on a real SQLite file: unread counts, idempotent sends, who may do what. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../admin/errors.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import type { Role } from '../db/schema.js';
import { TestClock } from '../test-support.js';
import { ChatService, type ChatActor, type ChatEvents } from './service.js';
import { ChatStore } from './store.js';

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const PEOPLE: Array<{ username: string; role: Role; enabled?: number }> = [
  { username: 'aset', role: 'operator' },
  { username: 'irina', role: 'operator' },
  { username: 'dauren', role: 'operator' },
  { username: 'erlan', role: 'second_line' },
  { username: 'gulnar', role: 'supervisor' },
  { username: 'watcher', role: 'observer' },
  { username: 'gone', role: 'operator', enabled: 0 },
];

describe('internal chat', () => {
  let dir: string;
  let db: Db;
  let close: () => void;
  let clock: TestClock;
  let chat: ChatService;
  const who: Record<string, ChatActor> = {};
  let events: Array<{ kind: keyof ChatEvents; to: string[]; data: unknown }>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kcc-chat-'));
    const opened = openDatabase(path.join(dir, 'kcc.db'));
    db = opened.db;
    close = () => opened.sqlite.close();
    await migrateToLatest(db);
    clock = new TestClock('2026-11-25T05:00:00.000Z');
    for (const p of PEOPLE) {
      const r = await db
        .insertInto('users')
        .values({
          username: p.username,
          display_name: p.username.toUpperCase(),
          role: p.role,
          password_hash: 'x',
          language: 'ru',
          enabled: p.enabled ?? 1,
          created_at: clock.now().toISOString(),
          updated_at: clock.now().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      who[p.username] = { id: r.id, username: p.username };
    }
    chat = new ChatService({ store: new ChatStore(db), now: clock.now });
    events = [];
    for (const kind of ['message', 'read', 'conversation'] as const) {
      chat.on(kind, (to: string[], data: unknown) => events.push({ kind, to, data }));
    }
  });

  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function count(table: 'chat_messages' | 'chat_conversations' | 'chat_participants') {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  it('lists colleagues who can chat: enabled, not observers, not oneself', async () => {
    const names = (await chat.colleagues(who.aset!)).map((c) => c.username);
    expect(names).toEqual(['dauren', 'erlan', 'gulnar', 'irina']);
  });

  it('reuses the one direct conversation of a pair, whoever opens it', async () => {
    const first = await chat.openDirect(who.aset!, 'irina');
    expect(first.created).toBe(true);
    const again = await chat.openDirect(who.aset!, 'irina');
    const other = await chat.openDirect(who.irina!, 'aset');
    expect(again).toMatchObject({ created: false, conversation: { id: first.conversation.id } });
    expect(other).toMatchObject({ created: false, conversation: { id: first.conversation.id } });
    expect(await count('chat_conversations')).toBe(1);
    expect(first.conversation.participants.map((p) => p.username).sort()).toEqual([
      'aset',
      'irina',
    ]);
  });

  it('refuses a direct conversation with oneself, an observer, a disabled or unknown user', async () => {
    for (const username of ['aset', 'watcher', 'gone', 'nobody']) {
      const err = await rejection(chat.openDirect(who.aset!, username));
      expect(err.statusCode).toBe(400);
      expect(err.message).toMatch(/^username: /);
    }
    expect(await count('chat_conversations')).toBe(0);
  });

  it('counts unread messages by others after the read mark, and clears them when read', async () => {
    const { conversation } = await chat.openDirect(who.aset!, 'irina');
    // Irina does not see a conversation nobody has written in yet.
    expect((await chat.list(who.irina!)).items).toEqual([]);
    const m1 = await chat.post(who.aset!, conversation.id, { body: 'Сәлем!' });
    clock.advance(1000);
    const m2 = await chat.post(who.aset!, conversation.id, { body: 'Есть минута?' });
    const irina = await chat.list(who.irina!);
    expect(irina.unreadTotal).toBe(2);
    expect(irina.items[0]).toMatchObject({
      id: conversation.id,
      unread: 2,
      lastMessage: { id: m2.message.id, body: 'Есть минута?', author: { username: 'aset' } },
    });
    // One's own messages are never unread.
    expect((await chat.list(who.aset!)).unreadTotal).toBe(0);

    const read1 = await chat.markRead(who.irina!, conversation.id, m1.message.id);
    expect(read1).toMatchObject({ lastReadMessageId: m1.message.id, unread: 1 });
    // The mark never moves back.
    const back = await chat.markRead(who.irina!, conversation.id, 0);
    expect(back.lastReadMessageId).toBe(m1.message.id);
    await chat.post(who.irina!, conversation.id, { body: 'Да, слушаю' });
    const read2 = await chat.markRead(who.irina!, conversation.id, m2.message.id + 1000);
    expect(read2.unread).toBe(0);
    expect((await chat.list(who.irina!)).unreadTotal).toBe(0);
    expect((await chat.list(who.aset!)).unreadTotal).toBe(1);

    // Writing in a conversation reads it up to one's message: only the first mark was news.
    const read = events.filter((e) => e.kind === 'read');
    expect(read).toHaveLength(1);
    expect(read[0]!.to.sort()).toEqual(['aset', 'irina']);
  });

  it('sends a message once however often the same client id is resent', async () => {
    const { conversation } = await chat.openDirect(who.aset!, 'irina');
    const first = await chat.post(who.aset!, conversation.id, {
      body: 'Клиент ждёт на линии',
      clientId: 'c-1',
    });
    const again = await chat.post(who.aset!, conversation.id, {
      body: 'Клиент ждёт на линии',
      clientId: 'c-1',
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ message: first.message, created: false });
    expect(await count('chat_messages')).toBe(1);
    expect(events.filter((e) => e.kind === 'message')).toHaveLength(1);
    // The same id for different text is a client's mistake, not a resend.
    const err = await rejection(
      chat.post(who.aset!, conversation.id, { body: 'Другое', clientId: 'c-1' }),
    );
    expect(err).toMatchObject({ statusCode: 409, code: 'client_id_reused' });
    // Two copies of one send racing each other (a resend while the first is in flight).
    const raced = await Promise.all([
      chat.post(who.aset!, conversation.id, { body: 'Дубль?', clientId: 'c-2' }),
      chat.post(who.aset!, conversation.id, { body: 'Дубль?', clientId: 'c-2' }),
    ]);
    expect(raced.map((r) => r.created).sort()).toEqual([false, true]);
    expect(raced[0].message.id).toBe(raced[1].message.id);
    expect(await count('chat_messages')).toBe(2);
    // Another author may happen to pick the same id.
    const irina = await chat.post(who.irina!, conversation.id, { body: 'Иду', clientId: 'c-1' });
    expect(irina.created).toBe(true);
  });

  it('lets only participants read, write and mark read', async () => {
    const { conversation } = await chat.openDirect(who.aset!, 'irina');
    await chat.post(who.aset!, conversation.id, { body: 'Только для Ирины' });
    for (const attempt of [
      chat.messages(who.dauren!, conversation.id, { limit: 10 }),
      chat.post(who.dauren!, conversation.id, { body: 'Можно мне?' }),
      chat.markRead(who.dauren!, conversation.id, 1),
      chat.get(who.dauren!, conversation.id),
    ]) {
      expect(await rejection(attempt)).toMatchObject({ statusCode: 403, code: 'not_participant' });
    }
    expect(await rejection(chat.messages(who.aset!, 999, { limit: 10 }))).toMatchObject({
      statusCode: 404,
    });
    expect(await count('chat_messages')).toBe(1);
    // The live event goes to the two participants only.
    const message = events.find((e) => e.kind === 'message')!;
    expect(message.to.sort()).toEqual(['aset', 'irina']);
  });

  it('refuses empty and too long messages, naming the field, writing nothing', async () => {
    const { conversation } = await chat.openDirect(who.aset!, 'irina');
    for (const body of ['   \n ', 'я'.repeat(4001)]) {
      const err = await rejection(chat.post(who.aset!, conversation.id, { body }));
      expect(err.statusCode).toBe(400);
      expect(err.message).toMatch(/^body: /);
    }
    expect(await count('chat_messages')).toBe(0);
    const ok = await chat.post(who.aset!, conversation.id, { body: 'я'.repeat(4000) });
    expect(ok.message.body).toHaveLength(4000);
  });

  it('pages back through the messages, oldest first within a page', async () => {
    const { conversation } = await chat.openDirect(who.aset!, 'irina');
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.advance(1000);
      ids.push((await chat.post(who.aset!, conversation.id, { body: `m${i}` })).message.id);
    }
    const last = await chat.messages(who.irina!, conversation.id, { limit: 2 });
    expect(last.items.map((m) => m.body)).toEqual(['m4', 'm5']);
    expect(last.hasMore).toBe(true);
    const before = await chat.messages(who.irina!, conversation.id, {
      before: last.items[0]!.id,
      limit: 10,
    });
    expect(before.items.map((m) => m.body)).toEqual(['m1', 'm2', 'm3']);
    expect(before.hasMore).toBe(false);
  });

  it('creates a group with its members and refuses people who cannot chat, writing nothing', async () => {
    const err = await rejection(
      chat.createGroup(who.gulnar!, { name: 'Смена А', members: ['aset', 'watcher'] }),
    );
    expect(err.message).toMatch(/^members\[1\]: /);
    expect(
      await rejection(chat.createGroup(who.gulnar!, { name: '  ', members: ['aset'] })),
    ).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^name: /) });
    expect(await count('chat_conversations')).toBe(0);
    expect(await count('chat_participants')).toBe(0);

    const group = await chat.createGroup(who.gulnar!, {
      name: ' Смена  А ',
      members: ['aset', 'irina', 'aset', 'gulnar'],
    });
    expect(group).toMatchObject({ kind: 'group', name: 'Смена А', myRole: 'owner' });
    expect(group.participants.map((p) => `${p.username}:${p.role}`).sort()).toEqual([
      'aset:member',
      'gulnar:owner',
      'irina:member',
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'conversation' });
    const { message } = await chat.post(who.irina!, group.id, { body: 'Всем привет' });
    expect((await chat.list(who.aset!)).items[0]).toMatchObject({ id: group.id, unread: 1 });
    expect(events.at(-1)!.to.sort()).toEqual(['aset', 'gulnar', 'irina']);
    expect(message.author?.displayName).toBe('IRINA');
  });

  it('broadcasts to everyone of a role, who read but cannot reply', async () => {
    const first = await chat.broadcast(who.gulnar!, {
      role: 'operator',
      body: 'Через 10 минут плановые работы',
      clientId: 'b-1',
    });
    expect(first.conversation).toMatchObject({
      kind: 'broadcast',
      audienceRole: 'operator',
      myRole: 'owner',
    });
    // Enabled operators only, and the sender.
    expect(first.conversation.participants.map((p) => p.username).sort()).toEqual([
      'aset',
      'dauren',
      'gulnar',
      'irina',
    ]);
    for (const op of ['aset', 'irina', 'dauren']) {
      const list = await chat.list(who[op]!);
      expect(list.items[0]).toMatchObject({ kind: 'broadcast', unread: 1, canPost: false });
    }
    expect((await chat.list(who.erlan!)).items).toEqual([]);
    const err = await rejection(chat.post(who.aset!, first.conversation.id, { body: 'Понятно' }));
    expect(err).toMatchObject({ statusCode: 403, code: 'read_only' });

    // Resent after a blip: the same message; a second broadcast reuses the conversation.
    const again = await chat.broadcast(who.gulnar!, {
      role: 'operator',
      body: 'Через 10 минут плановые работы',
      clientId: 'b-1',
    });
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);
    await chat.broadcast(who.gulnar!, { role: 'operator', body: 'Работы закончены' });
    expect(await count('chat_conversations')).toBe(1);
    expect((await chat.list(who.aset!)).unreadTotal).toBe(2);
    expect(
      await rejection(chat.broadcast(who.gulnar!, { role: 'observer', body: 'x' })),
    ).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^role: /) });
  });
});

/**
 * Internal chat (OP-32 item 6, SUP-33): direct conversations between two colleagues (one per
 * pair), named groups, and broadcasts from supervisors to everyone of a role. Messages are stored
 * before anyone is told; a send carrying a client id already stored returns that message instead
 * of writing it twice, so a browser may resend after a network blip.
 *
 * Only participants read or write a conversation. Every change validates first and then happens
 * in one transaction, so a refused request leaves nothing behind. Events name their recipients
 * (the participants) so the live hub can send them to those people only.
 */
import { EventEmitter } from 'node:events';
import { AppError } from '../admin/errors.js';
import type { Role } from '../db/schema.js';
import {
  broadcastKey,
  canChat,
  canPost,
  CHAT_LIMITS,
  chatRoles,
  directKey,
  nextReadMark,
  normalizeBody,
  normalizeGroupName,
  visibleTo,
  type ChatConversationKind,
  type ChatParticipantRole,
  type ChatVisibility,
} from './model.js';
import type {
  ChatStore,
  ChatUser,
  MessageRow,
  MyConversationRow,
  ParticipantRow,
} from './store.js';

/** Who asks: the signed-in user. */
export interface ChatActor {
  id: number;
  username: string;
}

export interface ColleagueView {
  username: string;
  displayName: string;
  role: Role;
}

export interface MessageView {
  id: number;
  conversationId: number;
  author: { username: string; displayName: string } | null;
  body: string;
  visibility: ChatVisibility;
  clientId: string | null;
  createdAt: string;
}

export interface ParticipantView {
  username: string;
  displayName: string;
  role: ChatParticipantRole;
  lastReadMessageId: number;
}

export interface ConversationView {
  id: number;
  kind: ChatConversationKind;
  /** The group's name; null for direct conversations and broadcasts (named by the console). */
  name: string | null;
  audienceRole: Role | null;
  createdAt: string;
  lastActivityAt: string;
  myRole: ChatParticipantRole;
  canPost: boolean;
  participants: ParticipantView[];
  lastMessage: MessageView | null;
  lastReadMessageId: number;
  unread: number;
}

export interface ReadView {
  conversationId: number;
  username: string;
  lastReadMessageId: number;
  /** What is still unread for `username` in the conversation. */
  unread: number;
}

export interface ChatEvents {
  /** A new message: sent to every participant. */
  message: [recipients: string[], data: { conversationId: number; message: MessageView }];
  /** A participant's read mark moved: sent to every participant. */
  read: [recipients: string[], data: ReadView];
  /** Someone was added to a conversation (new group, first direct message, broadcast). */
  conversation: [recipients: string[], data: { conversationId: number }];
}

export interface ChatDeps {
  store: ChatStore;
  now: () => Date;
}

function toMessageView(m: MessageRow): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    author:
      m.authorUsername === null
        ? null
        : { username: m.authorUsername, displayName: m.authorDisplayName ?? m.authorUsername },
    body: m.body,
    visibility: m.visibility,
    clientId: m.clientId,
    createdAt: m.createdAt,
  };
}

function invalid(field: string, message: string): AppError {
  return new AppError(400, 'validation', `${field}: ${message}`, { field });
}

export class ChatService extends EventEmitter<ChatEvents> {
  constructor(private readonly d: ChatDeps) {
    super();
  }

  /** Colleagues one may chat with: enabled users whose role has `chat:use`, not oneself. */
  async colleagues(me: ChatActor): Promise<ColleagueView[]> {
    const users = await this.d.store.enabledUsersOfRoles(chatRoles());
    return users
      .filter((u) => u.id !== me.id)
      .map((u) => ({ username: u.username, displayName: u.displayName, role: u.role }));
  }

  async list(me: ChatActor): Promise<{ items: ConversationView[]; unreadTotal: number }> {
    // A direct conversation someone opened but has not written in yet is theirs alone to see.
    const rows = (await this.d.store.conversationsOf(me.id)).filter(
      (c) => c.kind !== 'direct' || c.lastMessageId !== null || c.createdBy === me.id,
    );
    const items = await this.views(rows);
    return { items, unreadTotal: items.reduce((n, c) => n + c.unread, 0) };
  }

  async get(me: ChatActor, conversationId: number): Promise<ConversationView> {
    await this.membership(me, conversationId);
    const row = (await this.d.store.conversationsOf(me.id, conversationId))[0];
    if (!row) throw notFound(conversationId);
    return (await this.views([row]))[0]!;
  }

  /** The direct conversation with a colleague, created on first use. */
  async openDirect(
    me: ChatActor,
    username: string,
  ): Promise<{ conversation: ConversationView; created: boolean }> {
    if (username === me.username) {
      throw invalid('username', 'a direct conversation needs someone other than you');
    }
    const other = await this.colleague('username', username);
    const key = directKey(me.id, other.id);
    const at = this.d.now().toISOString();
    const { id, created } = await this.d.store.transaction(async (store) => {
      const existing = await store.conversationByKey(key);
      if (existing) return { id: existing.id, created: false };
      const newId = await store.insertConversation({
        kind: 'direct',
        name: null,
        uniqueKey: key,
        audienceRole: null,
        createdBy: me.id,
        at,
      });
      if (newId === undefined)
        throw new Error('direct conversation key taken inside a transaction');
      for (const userId of [me.id, other.id]) {
        await store.addParticipant({ conversationId: newId, userId, role: 'member', at });
      }
      return { id: newId, created: true };
    });
    return { conversation: await this.get(me, id), created };
  }

  /** A named group of colleagues, its creator its owner. */
  async createGroup(
    me: ChatActor,
    input: { name: string; members: readonly string[] },
  ): Promise<ConversationView> {
    const name = normalizeGroupName(input.name);
    if (!name) throw invalid('name', 'must not be empty');
    if (name.length > CHAT_LIMITS.groupName) {
      throw invalid('name', `must be at most ${CHAT_LIMITS.groupName} characters`);
    }
    const wanted = [...new Set(input.members)].filter((u) => u !== me.username);
    if (wanted.length === 0) throw invalid('members', 'name at least one colleague');
    if (wanted.length > CHAT_LIMITS.groupMembers) {
      throw invalid('members', `at most ${CHAT_LIMITS.groupMembers} people`);
    }
    const found = await this.d.store.usersByUsernames(wanted);
    const members: ChatUser[] = [];
    for (const [i, username] of input.members.entries()) {
      if (username === me.username || members.some((m) => m.username === username)) continue;
      const user = found.find((u) => u.username === username);
      if (!user || !user.enabled || !canChat(user.role)) {
        throw invalid(`members[${i}]`, `${username} is not a colleague you can chat with`);
      }
      members.push(user);
    }
    const at = this.d.now().toISOString();
    const id = await this.d.store.transaction(async (store) => {
      const newId = await store.insertConversation({
        kind: 'group',
        name,
        uniqueKey: null,
        audienceRole: null,
        createdBy: me.id,
        at,
      });
      if (newId === undefined) throw new Error('group conversation was not inserted');
      await store.addParticipant({ conversationId: newId, userId: me.id, role: 'owner', at });
      for (const m of members) {
        await store.addParticipant({ conversationId: newId, userId: m.id, role: 'member', at });
      }
      return newId;
    });
    this.emit('conversation', [me.username, ...members.map((m) => m.username)], {
      conversationId: id,
    });
    return this.get(me, id);
  }

  /** Posts a message; a client id already used by the author here returns the stored message. */
  async post(
    me: ChatActor,
    conversationId: number,
    input: { body: string; clientId?: string | null },
  ): Promise<{ message: MessageView; created: boolean }> {
    const body = this.checkBody(input.body);
    const clientId = input.clientId ?? null;
    const participant = await this.membership(me, conversationId);
    if (!canPost(participant.role)) {
      throw new AppError(403, 'read_only', 'Only the senders of this broadcast write in it');
    }
    const at = this.d.now().toISOString();
    // The repeat check and the insert share one transaction: two copies of one send racing each
    // other cannot both insert.
    const result = await this.d.store.transaction(async (store) => {
      const repeat = await repeatOf(store, conversationId, me, clientId, body);
      if (repeat) return { message: repeat, created: false };
      const id = await store.insertMessage({
        conversationId,
        authorId: me.id,
        body,
        visibility: 'all',
        clientId,
        at,
      });
      await store.touchConversation(conversationId, at);
      // One's own message is read by oneself.
      await store.setReadMark(conversationId, me.id, id);
      return { message: (await store.message(id))!, created: true };
    });
    if (result.created) await this.announce(conversationId, result.message);
    return { message: toMessageView(result.message), created: result.created };
  }

  /**
   * A supervisor's message to everyone of a role (all operators …). The role's one broadcast
   * conversation gets everyone currently of that role as readers and the sender as an owner.
   */
  async broadcast(
    me: ChatActor,
    input: { role: Role; body: string; clientId?: string | null },
  ): Promise<{ conversation: ConversationView; message: MessageView; created: boolean }> {
    const body = this.checkBody(input.body);
    if (!canChat(input.role)) throw invalid('role', `${input.role} does not use the chat`);
    const clientId = input.clientId ?? null;
    const key = broadcastKey(input.role);
    const audience = await this.d.store.enabledUsersOfRoles([input.role]);
    const at = this.d.now().toISOString();
    const result = await this.d.store.transaction(async (store) => {
      let id = (await store.conversationByKey(key))?.id;
      if (id !== undefined) {
        const repeat = await repeatOf(store, id, me, clientId, body);
        if (repeat) return { conversationId: id, message: repeat, added: [], created: false };
      }
      if (id === undefined) {
        id = await store.insertConversation({
          kind: 'broadcast',
          name: null,
          uniqueKey: key,
          audienceRole: input.role,
          createdBy: me.id,
          at,
        });
        if (id === undefined) throw new Error('broadcast conversation was not inserted');
      }
      // Newcomers start reading from now on; earlier broadcasts stay readable but not unread.
      const newest = await store.newestMessageId(id);
      const added: string[] = [];
      if (await store.addParticipant({ conversationId: id, userId: me.id, role: 'owner', at })) {
        added.push(me.username);
      } else {
        await store.setParticipantRole(id, me.id, 'owner');
      }
      for (const u of audience) {
        if (u.id === me.id) continue;
        const isNew = await store.addParticipant({
          conversationId: id,
          userId: u.id,
          role: 'reader',
          at,
          lastReadMessageId: newest,
        });
        if (isNew) added.push(u.username);
      }
      const messageId = await store.insertMessage({
        conversationId: id,
        authorId: me.id,
        body,
        visibility: 'all',
        clientId,
        at,
      });
      await store.touchConversation(id, at);
      await store.setReadMark(id, me.id, messageId);
      return {
        conversationId: id,
        message: (await store.message(messageId))!,
        added,
        created: true,
      };
    });
    const { conversationId, message, added, created } = result;
    if (added.length) this.emit('conversation', added, { conversationId });
    if (created) await this.announce(conversationId, message);
    return {
      conversation: await this.get(me, conversationId),
      message: toMessageView(message),
      created,
    };
  }

  /** A page of messages, oldest first: the `limit` newest of those before `before`. */
  async messages(
    me: ChatActor,
    conversationId: number,
    page: { before?: number; limit: number },
  ): Promise<{ items: MessageView[]; hasMore: boolean }> {
    const participant = await this.membership(me, conversationId);
    const limit = Math.min(Math.max(1, page.limit), CHAT_LIMITS.page);
    const rows = await this.d.store.messagesBefore(conversationId, page.before ?? null, limit + 1);
    const hasMore = rows.length > limit;
    const items = rows
      .slice(0, limit)
      .filter((m) => visibleTo(participant.role, m.visibility))
      .reverse()
      .map(toMessageView);
    return { items, hasMore };
  }

  /** Marks the conversation read up to a message; the mark never moves back. */
  async markRead(me: ChatActor, conversationId: number, upTo: number): Promise<ReadView> {
    const participant = await this.membership(me, conversationId);
    const newest = await this.d.store.newestMessageId(conversationId);
    const mark = nextReadMark(participant.lastReadMessageId, upTo, newest);
    if (mark !== participant.lastReadMessageId) {
      await this.d.store.setReadMark(conversationId, me.id, mark);
    }
    const view: ReadView = {
      conversationId,
      username: me.username,
      lastReadMessageId: mark,
      unread: await this.d.store.unreadCount(conversationId, me.id, mark),
    };
    if (mark !== participant.lastReadMessageId) {
      const everyone = await this.d.store.participantsOf([conversationId]);
      this.emit(
        'read',
        everyone.map((p) => p.username),
        view,
      );
    }
    return view;
  }

  // Helpers

  private checkBody(raw: string): string {
    if (raw.length > CHAT_LIMITS.body) {
      throw invalid('body', `must be at most ${CHAT_LIMITS.body} characters`);
    }
    const body = normalizeBody(raw);
    if (body === null) throw invalid('body', 'must not be empty');
    return body;
  }

  private async colleague(field: string, username: string): Promise<ChatUser> {
    const user = await this.d.store.userByUsername(username);
    if (!user || !user.enabled || !canChat(user.role)) {
      throw invalid(field, `${username} is not a colleague you can chat with`);
    }
    return user;
  }

  private async membership(me: ChatActor, conversationId: number): Promise<ParticipantRow> {
    const participant = await this.d.store.participant(conversationId, me.id);
    if (participant) return participant;
    if (!(await this.d.store.conversation(conversationId))) throw notFound(conversationId);
    throw new AppError(403, 'not_participant', 'You do not take part in this conversation');
  }

  private async announce(conversationId: number, message: MessageRow): Promise<void> {
    const everyone = await this.d.store.participantsOf([conversationId]);
    this.emit(
      'message',
      everyone.filter((p) => visibleTo(p.role, message.visibility)).map((p) => p.username),
      { conversationId, message: toMessageView(message) },
    );
  }

  private async views(rows: MyConversationRow[]): Promise<ConversationView[]> {
    const ids = rows.map((r) => r.id);
    const [participants, lastMessages] = await Promise.all([
      this.d.store.participantsOf(ids),
      this.d.store.messagesByIds(
        rows.map((r) => r.lastMessageId).filter((id): id is number => id !== null),
      ),
    ]);
    return rows.map((r) => {
      const last = lastMessages.find((m) => m.id === r.lastMessageId);
      return {
        id: r.id,
        kind: r.kind,
        name: r.name,
        audienceRole: r.audienceRole,
        createdAt: r.createdAt,
        lastActivityAt: r.lastActivityAt,
        myRole: r.myRole,
        canPost: canPost(r.myRole),
        participants: participants
          .filter((p) => p.conversationId === r.id)
          .map((p) => ({
            username: p.username,
            displayName: p.displayName,
            role: p.role,
            lastReadMessageId: p.lastReadMessageId,
          })),
        lastMessage: last ? toMessageView(last) : null,
        lastReadMessageId: r.lastReadMessageId,
        unread: r.unread,
      };
    });
  }
}

/** The message already stored under this client id by this author, when a send is a repeat. */
async function repeatOf(
  store: ChatStore,
  conversationId: number,
  me: ChatActor,
  clientId: string | null,
  body: string,
): Promise<MessageRow | null> {
  if (clientId === null) return null;
  const stored = await store.messageByClientId(conversationId, me.id, clientId);
  if (!stored) return null;
  if (stored.body !== body) {
    throw new AppError(
      409,
      'client_id_reused',
      'clientId: already used for another message; send a new one',
      { field: 'clientId' },
    );
  }
  return stored;
}

function notFound(id: number): AppError {
  return new AppError(404, 'not_found', `No conversation ${id}`);
}

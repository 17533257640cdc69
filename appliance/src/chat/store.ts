/**
 * Every query on conversations, participants and messages. It holds no rules: the service decides
 * what to write and wraps each change in `transaction()`, so a conversation, its participants and
 * its first message are written together or not at all. Names of people come from `users`, read
 * only.
 */
import type { Kysely } from 'kysely';
import type {
  ChatConversationKind,
  ChatParticipantRole,
  ChatVisibility,
  Database,
  Role,
} from '../db/schema.js';

export interface ChatUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enabled: boolean;
}

export interface ConversationRow {
  id: number;
  kind: ChatConversationKind;
  name: string | null;
  uniqueKey: string | null;
  audienceRole: Role | null;
  createdBy: number | null;
  createdAt: string;
  lastActivityAt: string;
}

export interface ParticipantRow {
  conversationId: number;
  userId: number;
  username: string;
  displayName: string;
  role: ChatParticipantRole;
  joinedAt: string;
  lastReadMessageId: number;
}

export interface MessageRow {
  id: number;
  conversationId: number;
  authorId: number | null;
  authorUsername: string | null;
  authorDisplayName: string | null;
  body: string;
  visibility: ChatVisibility;
  clientId: string | null;
  createdAt: string;
}

/** One conversation as its participant sees it in the list. */
export interface MyConversationRow extends ConversationRow {
  myRole: ChatParticipantRole;
  lastReadMessageId: number;
  unread: number;
  lastMessageId: number | null;
}

export interface NewConversation {
  kind: ChatConversationKind;
  name: string | null;
  uniqueKey: string | null;
  audienceRole: Role | null;
  createdBy: number;
  at: string;
}

export interface NewMessage {
  conversationId: number;
  authorId: number;
  body: string;
  visibility: ChatVisibility;
  clientId: string | null;
  at: string;
}

const CONVERSATION_COLUMNS = [
  'chat_conversations.id',
  'chat_conversations.kind',
  'chat_conversations.name',
  'chat_conversations.unique_key',
  'chat_conversations.audience_role',
  'chat_conversations.created_by',
  'chat_conversations.created_at',
  'chat_conversations.last_activity_at',
] as const;

interface ConversationColumns {
  id: number;
  kind: ChatConversationKind;
  name: string | null;
  unique_key: string | null;
  audience_role: Role | null;
  created_by: number | null;
  created_at: string;
  last_activity_at: string;
}

function toConversation(r: ConversationColumns): ConversationRow {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    uniqueKey: r.unique_key,
    audienceRole: r.audience_role,
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastActivityAt: r.last_activity_at,
  };
}

export class ChatStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `fn` in one transaction with a store bound to it. */
  async transaction<T>(fn: (store: ChatStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((tx) => fn(new ChatStore(tx)));
  }

  // People

  private users() {
    return this.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'role', 'enabled']);
  }

  private static toUser(r: {
    id: number;
    username: string;
    display_name: string;
    role: Role;
    enabled: number;
  }): ChatUser {
    return {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      enabled: r.enabled === 1,
    };
  }

  async userByUsername(username: string): Promise<ChatUser | undefined> {
    const r = await this.users().where('username', '=', username).executeTakeFirst();
    return r && ChatStore.toUser(r);
  }

  async usersByUsernames(usernames: readonly string[]): Promise<ChatUser[]> {
    if (usernames.length === 0) return [];
    const rows = await this.users().where('username', 'in', usernames).execute();
    return rows.map(ChatStore.toUser);
  }

  /** Enabled users of the given roles, by display name. */
  async enabledUsersOfRoles(roles: readonly Role[]): Promise<ChatUser[]> {
    if (roles.length === 0) return [];
    const rows = await this.users()
      .where('role', 'in', roles)
      .where('enabled', '=', 1)
      .orderBy('display_name')
      .orderBy('username')
      .execute();
    return rows.map(ChatStore.toUser);
  }

  // Conversations

  async conversation(id: number): Promise<ConversationRow | undefined> {
    const r = await this.db
      .selectFrom('chat_conversations')
      .select(CONVERSATION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toConversation(r);
  }

  async conversationByKey(key: string): Promise<ConversationRow | undefined> {
    const r = await this.db
      .selectFrom('chat_conversations')
      .select(CONVERSATION_COLUMNS)
      .where('unique_key', '=', key)
      .executeTakeFirst();
    return r && toConversation(r);
  }

  /** Inserts a conversation; with a unique key already taken it inserts nothing (undefined). */
  async insertConversation(c: NewConversation): Promise<number | undefined> {
    const r = await this.db
      .insertInto('chat_conversations')
      .values({
        kind: c.kind,
        name: c.name,
        unique_key: c.uniqueKey,
        audience_role: c.audienceRole,
        created_by: c.createdBy,
        created_at: c.at,
        last_activity_at: c.at,
      })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return r?.id;
  }

  async touchConversation(id: number, at: string): Promise<void> {
    await this.db
      .updateTable('chat_conversations')
      .set({ last_activity_at: at })
      .where('id', '=', id)
      .execute();
  }

  /** The conversations a user takes part in, most recently active first, with unread counts. */
  async conversationsOf(userId: number, only?: number): Promise<MyConversationRow[]> {
    let q = this.db
      .selectFrom('chat_participants as p')
      .innerJoin('chat_conversations', 'chat_conversations.id', 'p.conversation_id')
      .select(CONVERSATION_COLUMNS)
      .select(['p.role as my_role', 'p.last_read_message_id'])
      .select((eb) => [
        eb
          .selectFrom('chat_messages as m')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('m.conversation_id', '=', 'p.conversation_id')
          .whereRef('m.id', '>', 'p.last_read_message_id')
          .where((e) =>
            e.or([e('m.author_id', 'is', null), e('m.author_id', '!=', e.ref('p.user_id'))]),
          )
          .as('unread'),
        eb
          .selectFrom('chat_messages as m')
          .select((e) => e.fn.max('m.id').as('n'))
          .whereRef('m.conversation_id', '=', 'p.conversation_id')
          .as('last_message_id'),
      ])
      .where('p.user_id', '=', userId);
    if (only !== undefined) q = q.where('p.conversation_id', '=', only);
    const rows = await q
      .orderBy('chat_conversations.last_activity_at', 'desc')
      .orderBy('chat_conversations.id', 'desc')
      .execute();
    return rows.map((r) => ({
      ...toConversation(r),
      myRole: r.my_role,
      lastReadMessageId: r.last_read_message_id,
      unread: Number(r.unread ?? 0),
      lastMessageId: r.last_message_id === null ? null : Number(r.last_message_id),
    }));
  }

  /** Messages of one conversation by another user after a read mark. */
  async unreadCount(conversationId: number, userId: number, after: number): Promise<number> {
    const r = await this.db
      .selectFrom('chat_messages')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', conversationId)
      .where('id', '>', after)
      .where((e) => e.or([e('author_id', 'is', null), e('author_id', '!=', userId)]))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // Participants

  async participant(conversationId: number, userId: number): Promise<ParticipantRow | undefined> {
    return (await this.participantsOf([conversationId], userId))[0];
  }

  /** Participants of the conversations (of one user only, when given), by display name. */
  async participantsOf(
    conversationIds: readonly number[],
    userId?: number,
  ): Promise<ParticipantRow[]> {
    if (conversationIds.length === 0) return [];
    let q = this.db
      .selectFrom('chat_participants as p')
      .innerJoin('users', 'users.id', 'p.user_id')
      .select([
        'p.conversation_id',
        'p.user_id',
        'users.username',
        'users.display_name',
        'p.role',
        'p.joined_at',
        'p.last_read_message_id',
      ])
      .where('p.conversation_id', 'in', conversationIds);
    if (userId !== undefined) q = q.where('p.user_id', '=', userId);
    const rows = await q.orderBy('users.display_name').orderBy('users.username').execute();
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      joinedAt: r.joined_at,
      lastReadMessageId: r.last_read_message_id,
    }));
  }

  /** Adds a participant; one already there keeps their row. */
  async addParticipant(p: {
    conversationId: number;
    userId: number;
    role: ChatParticipantRole;
    at: string;
    lastReadMessageId?: number;
  }): Promise<boolean> {
    const r = await this.db
      .insertInto('chat_participants')
      .values({
        conversation_id: p.conversationId,
        user_id: p.userId,
        role: p.role,
        joined_at: p.at,
        last_read_message_id: p.lastReadMessageId ?? 0,
      })
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async setParticipantRole(
    conversationId: number,
    userId: number,
    role: ChatParticipantRole,
  ): Promise<void> {
    await this.db
      .updateTable('chat_participants')
      .set({ role })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .execute();
  }

  async setReadMark(conversationId: number, userId: number, mark: number): Promise<void> {
    await this.db
      .updateTable('chat_participants')
      .set({ last_read_message_id: mark })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .execute();
  }

  // Messages

  private messageQuery() {
    return this.db
      .selectFrom('chat_messages as m')
      .leftJoin('users', 'users.id', 'm.author_id')
      .select([
        'm.id',
        'm.conversation_id',
        'm.author_id',
        'users.username',
        'users.display_name',
        'm.body',
        'm.visibility',
        'm.client_id',
        'm.created_at',
      ]);
  }

  private static toMessage(r: {
    id: number;
    conversation_id: number;
    author_id: number | null;
    username: string | null;
    display_name: string | null;
    body: string;
    visibility: ChatVisibility;
    client_id: string | null;
    created_at: string;
  }): MessageRow {
    return {
      id: r.id,
      conversationId: r.conversation_id,
      authorId: r.author_id,
      authorUsername: r.username,
      authorDisplayName: r.display_name,
      body: r.body,
      visibility: r.visibility,
      clientId: r.client_id,
      createdAt: r.created_at,
    };
  }

  async message(id: number): Promise<MessageRow | undefined> {
    const r = await this.messageQuery().where('m.id', '=', id).executeTakeFirst();
    return r && ChatStore.toMessage(r);
  }

  async messagesByIds(ids: readonly number[]): Promise<MessageRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.messageQuery().where('m.id', 'in', ids).execute();
    return rows.map(ChatStore.toMessage);
  }

  async messageByClientId(
    conversationId: number,
    authorId: number,
    clientId: string,
  ): Promise<MessageRow | undefined> {
    const r = await this.messageQuery()
      .where('m.conversation_id', '=', conversationId)
      .where('m.author_id', '=', authorId)
      .where('m.client_id', '=', clientId)
      .executeTakeFirst();
    return r && ChatStore.toMessage(r);
  }

  async insertMessage(m: NewMessage): Promise<number> {
    const r = await this.db
      .insertInto('chat_messages')
      .values({
        conversation_id: m.conversationId,
        author_id: m.authorId,
        body: m.body,
        visibility: m.visibility,
        client_id: m.clientId,
        created_at: m.at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async newestMessageId(conversationId: number): Promise<number> {
    const r = await this.db
      .selectFrom('chat_messages')
      .select((e) => e.fn.max('id').as('n'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return r?.n == null ? 0 : Number(r.n);
  }

  /** A page of messages, newest first: those before `before` (all when null). */
  async messagesBefore(
    conversationId: number,
    before: number | null,
    limit: number,
  ): Promise<MessageRow[]> {
    let q = this.messageQuery().where('m.conversation_id', '=', conversationId);
    if (before !== null) q = q.where('m.id', '<', before);
    const rows = await q.orderBy('m.id', 'desc').limit(limit).execute();
    return rows.map(ChatStore.toMessage);
  }
}

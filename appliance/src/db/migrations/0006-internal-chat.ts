import type { Kysely } from 'kysely';

/**
 * Conversations (OP-32 item 6, SUP-33): internal chat between colleagues today, the customers'
 * messenger chats later, on one model.
 *
 * - `chat_conversations.kind` is `direct` (two users), `group` (named, with members) or
 *   `broadcast` (one per role: supervisors post, everyone of the role reads). `unique_key` makes
 *   the direct conversation of a pair (`direct:<low id>:<high id>`) and the broadcast of a role
 *   (`broadcast:<role>`) exist once, even when two requests race.
 * - `chat_participants.role` says what a participant may do (`owner`, `member`, `reader`; later
 *   `supervisor` for a supervisor listening in on a messenger chat). `last_read_message_id` is the
 *   newest message the participant has read: unread = messages after it written by others.
 * - `chat_messages.visibility` is `all`, or `staff-note` for a note that staff see and the
 *   customer of a messenger chat does not (the supervisor's whisper). `client_id` makes a send
 *   idempotent: the same author re-sending the same client id gets the message already stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_conversations')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('unique_key', 'text')
    /** The role a broadcast conversation reaches; null for the other kinds. */
    .addColumn('audience_role', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** Time of the last message (or of the creation): conversations are listed by it. */
    .addColumn('last_activity_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('chat_conversations_unique_key')
    .unique()
    .on('chat_conversations')
    .column('unique_key')
    .execute();

  await db.schema
    .createTable('chat_participants')
    .addColumn('conversation_id', 'integer', (c) =>
      c.notNull().references('chat_conversations.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addColumn('last_read_message_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('chat_participants_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('chat_participants_user')
    .on('chat_participants')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('conversation_id', 'integer', (c) =>
      c.notNull().references('chat_conversations.id').onDelete('cascade'),
    )
    .addColumn('author_id', 'integer', (c) => c.references('users.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('all'))
    .addColumn('client_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('chat_messages_conversation')
    .on('chat_messages')
    .columns(['conversation_id', 'id'])
    .execute();
  await db.schema
    .createIndex('chat_messages_client_id')
    .unique()
    .on('chat_messages')
    .columns(['conversation_id', 'author_id', 'client_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['chat_messages', 'chat_participants', 'chat_conversations']) {
    await db.schema.dropTable(t).execute();
  }
}

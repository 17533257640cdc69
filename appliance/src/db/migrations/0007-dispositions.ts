import type { Kysely } from 'kysely';

// The operator's disposition of each call they talked on (OP-32 item 5): result, topic, comment,
// and the ticket it led to. One row per call and operator; saving again replaces it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('call_dispositions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('comment', 'text')
    .addColumn('ticket_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('call_dispositions_call_user', ['call_id', 'username'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_dispositions').execute();
}

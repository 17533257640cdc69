import { sql, type Kysely } from 'kysely';

// The inbound call path: call flows, queues, prompts, calendar, callbacks, recordings, segments.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('published_version', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('flow_versions')
    .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('graph', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
    .execute();
  await db.schema.alterTable('services').addColumn('flow_id', 'text').execute();

  await db.schema
    .createTable('queues')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    /** Members: operators speaking this language (null: by role only). */
    .addColumn('language', 'text')
    .addColumn('member_role', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('ring_seconds', 'integer', (c) => c.notNull())
    .addColumn('wrapup_seconds', 'integer', (c) => c.notNull())
    .addColumn('max_wait_seconds', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('users')
    .addColumn('languages', 'text', (c) => c.notNull().defaultTo('["kk","ru"]'))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('phone_type', 'text', (c) => c.notNull().defaultTo('webrtc'))
    .execute();
  await db.schema.alterTable('trunks').addColumn('outbound_uri', 'text').execute();

  await db.schema
    .createTable('branches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('calendar_overrides')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('religious', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('prompts')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('source_format', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'real', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('prompts_pk', ['name', 'language', 'version'])
    .execute();

  await db.schema
    .createTable('callbacks')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'text', (c) => c.notNull().unique())
    .addColumn('number', 'text')
    .addColumn('language', 'text')
    .addColumn('service', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('recordings')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'text', (c) => c.notNull().unique())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('duration_seconds', 'real', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('call_segments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('queue', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema
    .createIndex('call_segments_call')
    .on('call_segments')
    .columns(['call_id', 'agent', 'started_at'])
    .unique()
    .execute();

  await db.schema.alterTable('calls').addColumn('outcome_reason', 'text').execute();
  await db.schema.alterTable('calls').addColumn('agent', 'text').execute();
  await db.schema.createIndex('calls_outcome').on('calls').column('outcome').execute();

  /** How far the controller has read Asterisk's CDR and queue_log files. */
  await db.schema
    .createTable('ingest_offsets')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('offset', 'integer', (c) => c.notNull())
    .execute();

  await sql`insert into queues (name, title, language, member_role, strategy, ring_seconds, wrapup_seconds, max_wait_seconds) values
    ('kk', 'First line, Kazakh', 'kk', 'operator', 'rrmemory', 15, 5, 300),
    ('ru', 'First line, Russian', 'ru', 'operator', 'rrmemory', 15, 5, 300),
    ('second_line', 'Second line (technical support)', null, 'second_line', 'rrmemory', 20, 5, 600)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'ingest_offsets',
    'call_segments',
    'recordings',
    'callbacks',
    'prompts',
    'calendar_overrides',
    'branches',
    'queues',
    'flow_versions',
    'flows',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}

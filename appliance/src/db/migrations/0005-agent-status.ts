import { sql, type Kysely } from 'kysely';

// Reasons an operator picks for Not ready; the administrator adds more and renames or hides these.
const REASONS = [
  ['break', 'Үзіліс', 'Перерыв', 'Break', 10],
  ['lunch', 'Түскі ас', 'Обед', 'Lunch', 20],
  ['training', 'Оқу', 'Обучение', 'Training', 30],
  ['meeting', 'Жиналыс', 'Совещание', 'Meeting', 40],
  ['technical', 'Техникалық себеп', 'Техническая причина', 'Technical issue', 50],
] as const;

// Reasons the controller sets itself: shown by name, never chosen by an operator or edited.
const SYSTEM_REASONS = [
  ['acw', 'Қоңыраудан кейінгі жұмыс', 'Обработка после звонка', 'After-call work', 900],
  ['unreachable', 'Байланыс жоқ', 'Нет связи', 'Unreachable', 910],
  ['signed_in', 'Жүйеге кірді', 'Вошёл в систему', 'Signed in', 920],
  ['offline', 'Жүйеден шықты', 'Вышел из системы', 'Signed out', 930],
] as const;

/**
 * Operator statuses (OP-32): the pause reasons, each operator's current status (Asterisk keeps
 * pauses in memory only, so this is what the controller puts back after a restart), and the
 * status log the supervisor and the reports read. The after-call-work length is the setting
 * `agents.acw_seconds`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pause_reasons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name_kk', 'text', (c) => c.notNull())
    .addColumn('name_ru', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('system', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('agent_status')
    .addColumn('user_id', 'integer', (c) =>
      c.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('acw_until', 'text')
    .addColumn('unreachable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unreachable_since', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent_status_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    /** The public status: ready, not_ready, after_call_work, offline or unreachable. */
    .addColumn('status', 'text', (c) => c.notNull())
    /** The pause reason Asterisk held (null for ready). */
    .addColumn('reason', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    /** Who set it when not the operator (a supervisor's username, or `system`). */
    .addColumn('set_by', 'text')
    .execute();
  await db.schema
    .createIndex('agent_status_log_user_started')
    .on('agent_status_log')
    .columns(['user_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('agent_status_log_started')
    .on('agent_status_log')
    .column('started_at')
    .execute();

  for (const [id, kk, ru, en, sort] of REASONS) {
    await sql`insert into pause_reasons (id, name_kk, name_ru, name_en, active, sort, system)
              values (${id}, ${kk}, ${ru}, ${en}, 1, ${sort}, 0)`.execute(db);
  }
  for (const [id, kk, ru, en, sort] of SYSTEM_REASONS) {
    await sql`insert into pause_reasons (id, name_kk, name_ru, name_en, active, sort, system)
              values (${id}, ${kk}, ${ru}, ${en}, 1, ${sort}, 1)`.execute(db);
  }
  await sql`insert into settings (key, value, updated_at)
            values ('agents.acw_seconds', '15', ${new Date().toISOString()})
            on conflict (key) do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from settings where key = 'agents.acw_seconds'`.execute(db);
  await db.schema.dropTable('agent_status_log').execute();
  await db.schema.dropTable('agent_status').execute();
  await db.schema.dropTable('pause_reasons').execute();
}

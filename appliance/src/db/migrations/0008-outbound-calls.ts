import { sql, type Kysely } from 'kysely';

// Operators' calls out (OP-32 item 3): the number an outside party sees when an operator calls on
// behalf of a service. A short number (193) or a toll-free one (8 8000 800 193) cannot be
// presented as a caller ID, so both present the center's city number by default.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('outbound_caller_id', 'text').execute();
  await sql`update services set outbound_caller_id = '77272581500'
    where number in ('193', '88000800193', '77272581500')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('outbound_caller_id').execute();
}

import { sql, type Kysely } from 'kysely';

// The customer's office staff an operator may transfer a caller to (OP-32: "an office employee"),
// reached at their own numbers through the trunk like the branches.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('office_contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department', 'text')
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into office_contacts (name, department, number, created_at) values
    ('Technical duty engineer', 'Technical department', '+77272581510', '2026-01-01T00:00:00.000Z'),
    ('Subscriber department', 'Sales', '+77272581520', '2026-01-01T00:00:00.000Z')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('office_contacts').execute();
}

import { sql, type Kysely } from 'kysely';

// Kazakhstan's 17 regions and 3 cities of republican significance (editable later: active, names).
const REGIONS = [
  ['astana', 'city', 'Астана қаласы', 'город Астана', 'Astana'],
  ['almaty', 'city', 'Алматы қаласы', 'город Алматы', 'Almaty'],
  ['shymkent', 'city', 'Шымкент қаласы', 'город Шымкент', 'Shymkent'],
  ['abai', 'region', 'Абай облысы', 'Абайская область', 'Abai Region'],
  ['akmola', 'region', 'Ақмола облысы', 'Акмолинская область', 'Akmola Region'],
  ['aktobe', 'region', 'Ақтөбе облысы', 'Актюбинская область', 'Aktobe Region'],
  ['almaty_region', 'region', 'Алматы облысы', 'Алматинская область', 'Almaty Region'],
  ['atyrau', 'region', 'Атырау облысы', 'Атырауская область', 'Atyrau Region'],
  [
    'east_kazakhstan',
    'region',
    'Шығыс Қазақстан облысы',
    'Восточно-Казахстанская область',
    'East Kazakhstan Region',
  ],
  ['jambyl', 'region', 'Жамбыл облысы', 'Жамбылская область', 'Jambyl Region'],
  ['jetisu', 'region', 'Жетісу облысы', 'Жетысуская область', 'Jetisu Region'],
  ['karaganda', 'region', 'Қарағанды облысы', 'Карагандинская область', 'Karaganda Region'],
  ['kostanay', 'region', 'Қостанай облысы', 'Костанайская область', 'Kostanay Region'],
  ['kyzylorda', 'region', 'Қызылорда облысы', 'Кызылординская область', 'Kyzylorda Region'],
  ['mangystau', 'region', 'Маңғыстау облысы', 'Мангистауская область', 'Mangystau Region'],
  [
    'north_kazakhstan',
    'region',
    'Солтүстік Қазақстан облысы',
    'Северо-Казахстанская область',
    'North Kazakhstan Region',
  ],
  ['pavlodar', 'region', 'Павлодар облысы', 'Павлодарская область', 'Pavlodar Region'],
  ['turkistan', 'region', 'Түркістан облысы', 'Туркестанская область', 'Turkistan Region'],
  ['ulytau', 'region', 'Ұлытау облысы', 'Улытауская область', 'Ulytau Region'],
  [
    'west_kazakhstan',
    'region',
    'Батыс Қазақстан облысы',
    'Западно-Казахстанская область',
    'West Kazakhstan Region',
  ],
] as const;

// The customer's services at the start (an editable catalogue).
const SD_SERVICES = [
  [
    'dvb_t2',
    'Цифрлық эфирлік телевизия (DVB-T2)',
    'Цифровое эфирное телевидение (DVB-T2)',
    'Digital terrestrial TV (DVB-T2)',
  ],
  [
    'otau_tv',
    'OTAU TV спутниктік телевизиясы',
    'Спутниковое телевидение OTAU TV',
    'OTAU TV satellite TV',
  ],
  ['radio', 'Радиохабар тарату', 'Радиовещание', 'Radio broadcasting'],
  [
    'broadcast_services',
    'Теле- және радиоарналарды тарату қызметтері',
    'Услуги трансляции теле- и радиоканалов',
    'TV and radio channel transmission',
  ],
  ['other', 'Басқа', 'Другое', 'Other'],
] as const;

// The Service Desk (SD-30): tickets with their full history, links to calls and chats, second-line
// callbacks, API clients and the outbound webhook queue.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('regions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name_kk', 'text', (c) => c.notNull())
    .addColumn('name_ru', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('sd_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name_kk', 'text', (c) => c.notNull())
    .addColumn('name_ru', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  const insertRegion = db as unknown as Kysely<{
    regions: {
      id: string;
      kind: string;
      name_kk: string;
      name_ru: string;
      name_en: string;
      sort: number;
    };
    sd_services: { id: string; name_kk: string; name_ru: string; name_en: string; sort: number };
  }>;
  await insertRegion
    .insertInto('regions')
    .values(
      REGIONS.map(([id, kind, kk, ru, en], sort) => ({
        id,
        kind,
        name_kk: kk,
        name_ru: ru,
        name_en: en,
        sort,
      })),
    )
    .execute();
  await insertRegion
    .insertInto('sd_services')
    .values(
      SD_SERVICES.map(([id, kk, ru, en], sort) => ({
        id,
        name_kk: kk,
        name_ru: ru,
        name_en: en,
        sort,
      })),
    )
    .execute();
  // A branch serves the regions listed here (a region may be served by one branch).
  await db.schema
    .alterTable('branches')
    .addColumn('region_id', 'text', (c) => c.references('regions.id'))
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull().defaultTo('first'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('subscriber_name', 'text')
    .addColumn('subscriber_phone', 'text')
    .addColumn('subscriber_account', 'text')
    .addColumn('region_id', 'text', (c) => c.references('regions.id'))
    .addColumn('service_id', 'text', (c) => c.references('sd_services.id'))
    .addColumn('branch_id', 'integer', (c) => c.references('branches.id'))
    .addColumn('topic', 'text')
    .addColumn('description', 'text')
    .addColumn('assignee', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('escalated_at', 'text')
    .addColumn('callback_due_at', 'text')
    .addColumn('callback_done_at', 'text')
    .addColumn('callback_breached_at', 'text')
    .addColumn('resolution_due_at', 'text')
    .addColumn('resolution_breached_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('correction_requested_at', 'text')
    .addColumn('corrections', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_client', 'text')
    .addColumn('client_key', 'text')
    // Hash of the request that used the key: the same key with another request is refused.
    .addColumn('client_request_hash', 'text')
    .execute();
  for (const column of ['status', 'created_at', 'subscriber_phone', 'subscriber_account']) {
    await db.schema.createIndex(`tickets_${column}`).on('tickets').column(column).execute();
  }
  await db.schema
    .createIndex('tickets_client_key')
    .on('tickets')
    .columns(['api_client', 'client_key'])
    .unique()
    .where(sql.ref('client_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('tickets_callback_due')
    .on('tickets')
    .column('callback_due_at')
    .where(sql.ref('callback_breached_at'), 'is', null)
    .execute();

  // Every change is an event (who, when, what), never an overwrite of the past.
  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('ticket_events_ticket')
    .on('ticket_events')
    .columns(['ticket_id', 'id'])
    .execute();

  await db.schema
    .createTable('ticket_links')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_links_pk', ['ticket_id', 'kind', 'ref'])
    .execute();
  await db.schema
    .createIndex('ticket_links_ref')
    .on('ticket_links')
    .columns(['kind', 'ref'])
    .execute();

  await db.schema
    .createTable('callback_attempts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text')
    .addColumn('note', 'text')
    .execute();

  // Registrations refused for missing required fields (QA-34: who needed correction, how often).
  await db.schema
    .createTable('registration_rejections')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('missing', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('saved_filters')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saved_filters_name', ['username', 'name'])
    .execute();

  // The customer's own service desk and other systems: API clients and webhook subscriptions.
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The outbox: written in the same transaction as the ticket event, kept until delivered.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('webhook_id', 'integer', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_pending')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'webhook_deliveries',
    'webhooks',
    'api_tokens',
    'saved_filters',
    'registration_rejections',
    'callback_attempts',
    'ticket_links',
    'ticket_events',
    'tickets',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('branches').dropColumn('region_id').execute();
  await db.schema.dropTable('sd_services').execute();
  await db.schema.dropTable('regions').execute();
}

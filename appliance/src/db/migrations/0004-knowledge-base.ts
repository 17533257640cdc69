import { sql, type Kysely } from 'kysely';

/**
 * The knowledge base (KB-16/17): categories, articles in Kazakh or Russian, their immutable
 * versions, and the full-text index.
 *
 * `kb_fts` is an FTS5 index whose content is `kb_articles` (title, body, tags of the current
 * version) but whose terms are the normalised text kept in `kb_search_docs` (see
 * `servicedesk/kb/text.ts`): one term per word of the original, so `snippet()` highlights the
 * original words. Rows are therefore added and removed only by the knowledge-base store, which
 * passes the normalised text; never run FTS5's 'rebuild' or 'integrity-check' on it, they would
 * read the original text instead. FTS5 is SQLite's own; on PostgreSQL this table would be a
 * tsvector column with the same normalised text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kb_categories')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('parent_id', 'integer', (c) => c.references('kb_categories.id'))
    .addColumn('name_kk', 'text', (c) => c.notNull())
    .addColumn('name_ru', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kb_articles')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category_id', 'integer', (c) => c.references('kb_categories.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    /** The version whose content the columns below hold. */
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    /** JSON array of tags. */
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    /** The same article in the other language; kept on both sides. */
    .addColumn('translation_id', 'integer', (c) =>
      c.references('kb_articles.id').onDelete('set null'),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('published_at', 'text')
    .execute();
  await db.schema
    .createIndex('kb_articles_status')
    .on('kb_articles')
    .columns(['status', 'language'])
    .execute();
  await db.schema
    .createIndex('kb_articles_category')
    .on('kb_articles')
    .column('category_id')
    .execute();
  await db.schema
    .createIndex('kb_articles_updated')
    .on('kb_articles')
    .column('updated_at')
    .execute();

  await db.schema
    .createTable('kb_article_versions')
    .addColumn('article_id', 'integer', (c) =>
      c.notNull().references('kb_articles.id').onDelete('cascade'),
    )
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category_id', 'integer')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('kb_article_versions_pk', ['article_id', 'version'])
    .execute();

  await db.schema
    .createTable('kb_search_docs')
    .addColumn('article_id', 'integer', (c) =>
      c.primaryKey().references('kb_articles.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .execute();

  await sql`create virtual table kb_fts using fts5(
    title, body, tags,
    content = 'kb_articles', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'",
    prefix = '2 3'
  )`.execute(db);
  // Title matches count ten times a body match, tags five times.
  await sql`insert into kb_fts (kb_fts, rank) values ('rank', 'bm25(10.0, 1.0, 5.0)')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table kb_fts`.execute(db);
  for (const t of ['kb_search_docs', 'kb_article_versions', 'kb_articles', 'kb_categories']) {
    await db.schema.dropTable(t).execute();
  }
}

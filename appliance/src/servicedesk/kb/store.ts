/**
 * Every query on the knowledge base: categories, articles, versions and the FTS5 index. It holds
 * no rules; the service decides what to write and wraps each save in `transaction()` so an
 * article, its version and its index rows are written together or not at all.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, KbArticlesTable, KbStatus } from '../../db/schema.js';
import type { Category, CategoryInput } from './model.js';
import { MATCH_END, MATCH_START, type KbLanguage } from './text.js';

export interface ArticleRow {
  id: number;
  language: KbLanguage;
  categoryId: number | null;
  status: KbStatus;
  version: number;
  title: string;
  body: string;
  tags: string[];
  translationId: number | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  publishedAt: string | null;
}

export type ArticleSummary = Omit<ArticleRow, 'body'>;

export interface VersionRow {
  version: number;
  language: KbLanguage;
  categoryId: number | null;
  title: string;
  body: string;
  tags: string[];
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface NewVersion {
  language: KbLanguage;
  categoryId: number | null;
  title: string;
  body: string;
  tags: string[];
  note: string | null;
  at: string;
  by: string;
}

/** The normalised text of an article's three indexed columns. */
export interface IndexDoc {
  title: string;
  body: string;
  tags: string;
}

export interface SearchFilter {
  statuses: readonly KbStatus[];
  language?: KbLanguage;
  categoryIds?: readonly number[];
}

export interface SearchHit {
  article: ArticleSummary;
  rank: number;
  /** The title with matches between MATCH_START and MATCH_END. */
  titleMarked: string;
  snippetMarked: string;
}

export interface ListFilter extends SearchFilter {
  limit: number;
  offset: number;
}

const parseTags = (json: string): string[] => JSON.parse(json) as string[];

function toArticle(r: Selectable<KbArticlesTable>): ArticleRow {
  return { ...summary(r), body: r.body };
}

const SUMMARY_COLUMNS = [
  'id',
  'language',
  'category_id',
  'status',
  'current_version',
  'title',
  'tags',
  'translation_id',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'published_at',
] as const;

export class KbStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `fn` in one transaction with a store bound to it. */
  async transaction<T>(fn: (store: KbStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((tx) => fn(new KbStore(tx)));
  }

  // Categories

  async categories(): Promise<Category[]> {
    const rows = await this.db
      .selectFrom('kb_categories')
      .selectAll()
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      nameKk: r.name_kk,
      nameRu: r.name_ru,
      nameEn: r.name_en,
      position: r.position,
    }));
  }

  async insertCategory(c: CategoryInput, at: string): Promise<number> {
    const r = await this.db
      .insertInto('kb_categories')
      .values({
        parent_id: c.parentId,
        name_kk: c.nameKk,
        name_ru: c.nameRu,
        name_en: c.nameEn,
        position: c.position,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async updateCategory(id: number, c: CategoryInput, at: string): Promise<number> {
    const r = await this.db
      .updateTable('kb_categories')
      .set({
        parent_id: c.parentId,
        name_kk: c.nameKk,
        name_ru: c.nameRu,
        name_en: c.nameEn,
        position: c.position,
        updated_at: at,
      })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async categoryExists(id: number): Promise<boolean> {
    const r = await this.db
      .selectFrom('kb_categories')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return r !== undefined;
  }

  // Articles

  async article(id: number): Promise<ArticleRow | undefined> {
    const r = await this.db
      .selectFrom('kb_articles')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toArticle(r) : undefined;
  }

  /** Articles newest first, without their bodies. */
  async list(f: ListFilter): Promise<{ items: ArticleSummary[]; total: number }> {
    let q = this.db.selectFrom('kb_articles').where('status', 'in', f.statuses);
    if (f.language) q = q.where('language', '=', f.language);
    if (f.categoryIds) q = q.where('category_id', 'in', f.categoryIds);
    const total = await q
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await q
      .select(SUMMARY_COLUMNS)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return { items: rows.map(summary), total: Number(total.n) };
  }

  async insertArticle(v: NewVersion, status: KbStatus): Promise<number> {
    const r = await this.db
      .insertInto('kb_articles')
      .values({
        language: v.language,
        category_id: v.categoryId,
        status,
        current_version: 1,
        title: v.title,
        body: v.body,
        tags: JSON.stringify(v.tags),
        translation_id: null,
        created_at: v.at,
        created_by: v.by,
        updated_at: v.at,
        updated_by: v.by,
        published_at: status === 'published' ? v.at : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  /**
   * Makes `version` the article's current content, but only if the article is still at
   * `baseVersion`: returns false when someone saved in between.
   */
  async setCurrent(
    id: number,
    baseVersion: number,
    version: number,
    v: NewVersion,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('kb_articles')
      .set({
        current_version: version,
        language: v.language,
        category_id: v.categoryId,
        title: v.title,
        body: v.body,
        tags: JSON.stringify(v.tags),
        updated_at: v.at,
        updated_by: v.by,
      })
      .where('id', '=', id)
      .where('current_version', '=', baseVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setStatus(id: number, status: KbStatus, at: string, by: string): Promise<void> {
    await this.db
      .updateTable('kb_articles')
      .set((eb) => ({
        status,
        updated_at: at,
        updated_by: by,
        published_at: status === 'published' ? at : eb.ref('published_at'),
      }))
      .where('id', '=', id)
      .execute();
  }

  async setTranslation(id: number, translationId: number | null): Promise<void> {
    await this.db
      .updateTable('kb_articles')
      .set({ translation_id: translationId })
      .where('id', '=', id)
      .execute();
  }

  // Versions

  async insertVersion(articleId: number, version: number, v: NewVersion): Promise<void> {
    await this.db
      .insertInto('kb_article_versions')
      .values({
        article_id: articleId,
        version,
        language: v.language,
        category_id: v.categoryId,
        title: v.title,
        body: v.body,
        tags: JSON.stringify(v.tags),
        note: v.note,
        created_at: v.at,
        created_by: v.by,
      })
      .execute();
  }

  /** Every version, newest first, without bodies. */
  async versions(articleId: number): Promise<Array<Omit<VersionRow, 'body'>>> {
    const rows = await this.db
      .selectFrom('kb_article_versions')
      .select([
        'version',
        'language',
        'category_id',
        'title',
        'tags',
        'note',
        'created_at',
        'created_by',
      ])
      .where('article_id', '=', articleId)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      version: r.version,
      language: r.language,
      categoryId: r.category_id,
      title: r.title,
      tags: parseTags(r.tags),
      note: r.note,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  async version(articleId: number, version: number): Promise<VersionRow | undefined> {
    const r = await this.db
      .selectFrom('kb_article_versions')
      .selectAll()
      .where('article_id', '=', articleId)
      .where('version', '=', version)
      .executeTakeFirst();
    return r
      ? {
          version: r.version,
          language: r.language,
          categoryId: r.category_id,
          title: r.title,
          body: r.body,
          tags: parseTags(r.tags),
          note: r.note,
          createdAt: r.created_at,
          createdBy: r.created_by,
        }
      : undefined;
  }

  // Full-text index

  /** Replaces the article's index rows with `doc`, the normalised text of its current content. */
  async index(articleId: number, doc: IndexDoc): Promise<void> {
    const old = await this.db
      .selectFrom('kb_search_docs')
      .select(['title', 'body', 'tags'])
      .where('article_id', '=', articleId)
      .executeTakeFirst();
    if (old) {
      // An external-content FTS5 table forgets a row only when told the terms it indexed.
      await sql`insert into kb_fts (kb_fts, rowid, title, body, tags)
        values ('delete', ${articleId}, ${old.title}, ${old.body}, ${old.tags})`.execute(this.db);
    }
    await sql`insert into kb_fts (rowid, title, body, tags)
      values (${articleId}, ${doc.title}, ${doc.body}, ${doc.tags})`.execute(this.db);
    await this.db
      .insertInto('kb_search_docs')
      .values({ article_id: articleId, ...doc })
      .onConflict((oc) => oc.column('article_id').doUpdateSet(doc))
      .execute();
  }

  /**
   * The best `limit` matches of an FTS5 expression, ranked by bm25 (the `rank` column: title ten
   * times the body, see the migration), with the title highlighted and a snippet of the body.
   * `order by rank` lets FTS5 sort inside the index and the join stop after `limit` rows, so
   * highlight() and snippet() run only for the rows returned.
   */
  async search(match: string, f: SearchFilter, limit: number): Promise<SearchHit[]> {
    const where = [sql`kb_fts match ${match}`, sql`a.status in (${sql.join(f.statuses)})`];
    if (f.language) where.push(sql`a.language = ${f.language}`);
    if (f.categoryIds) {
      if (f.categoryIds.length === 0) return [];
      where.push(sql`a.category_id in (${sql.join(f.categoryIds)})`);
    }
    const rows = await sql<
      Omit<Selectable<KbArticlesTable>, 'body'> & {
        rank: number;
        title_marked: string;
        snippet_marked: string;
      }
    >`
      select ${sql.join(SUMMARY_COLUMNS.map((c) => sql.ref(`a.${c}`)))},
        kb_fts.rank as rank,
        highlight(kb_fts, 0, ${MATCH_START}, ${MATCH_END}) as title_marked,
        snippet(kb_fts, 1, ${MATCH_START}, ${MATCH_END}, '…', 24) as snippet_marked
      from kb_fts join kb_articles a on a.id = kb_fts.rowid
      where ${sql.join(where, sql` and `)}
      order by kb_fts.rank
      limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({
      article: summary(r),
      rank: r.rank,
      titleMarked: r.title_marked,
      snippetMarked: r.snippet_marked,
    }));
  }
}

function summary(r: Omit<Selectable<KbArticlesTable>, 'body'>): ArticleSummary {
  return {
    id: r.id,
    language: r.language,
    categoryId: r.category_id,
    status: r.status,
    version: r.current_version,
    title: r.title,
    tags: parseTags(r.tags),
    translationId: r.translation_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    publishedAt: r.published_at,
  };
}

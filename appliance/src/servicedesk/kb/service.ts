/**
 * Knowledge-base use cases (KB-16/17, SVC-31.3): search while on a call, read, write articles as
 * immutable versions with optimistic concurrency, restore an old version, publish or archive,
 * link translations, keep the category tree. Readers see published articles only; editors
 * (`kb:write`) also see drafts and archived ones.
 */
import { AppError } from '../../admin/errors.js';
import type { KbStatus } from '../../db/schema.js';
import {
  checkArticle,
  checkCategory,
  checkNote,
  checkParent,
  KB_LIMITS,
  LANGUAGE_NAMES,
  visibleStatuses,
  withDescendants,
  type ArticleContent,
  type ArticleInput,
  type Category,
  type CategoryInput,
} from './model.js';
import type { DemoArticle, DemoCategory } from './demo-content.js';
import type { ArticleRow, ArticleSummary, KbStore, NewVersion, VersionRow } from './store.js';
import {
  indexText,
  matchExpression,
  MAX_QUERY_LENGTH,
  parseQuery,
  splitMarked,
  type KbLanguage,
  type TextPart,
} from './text.js';

export interface KbDeps {
  store: KbStore;
  now: () => Date;
}

/** Who asks: their name for the version history and whether they may see unpublished articles. */
export interface KbActor {
  username: string;
  canWrite: boolean;
}

export interface SearchQuery {
  q: string;
  language?: KbLanguage;
  categoryId?: number;
  status?: KbStatus | 'any';
  limit: number;
}

export interface SearchResult extends ArticleSummary {
  titleParts: TextPart[];
  snippet: TextPart[];
}

export interface SearchAnswer {
  items: SearchResult[];
  /** `all`: every word matched; `any`: nothing matched every word, so any word counts. */
  matched: 'all' | 'any';
}

export interface ArticleView extends ArticleRow {
  translation: { id: number; language: KbLanguage; title: string; status: KbStatus } | null;
}

export interface SaveInput extends ArticleInput {
  note?: string | null;
  /** The article in the other language; null unlinks; absent keeps the link. */
  translationId?: number | null;
}

function notFound(id: number): AppError {
  return new AppError(404, 'not_found', `No article ${id}`);
}

function invalid(message: string, field: string): AppError {
  return new AppError(400, 'validation', message, { field });
}

// Markdown markup makes a snippet harder to read: it is dropped from the plain parts.
function tidySnippet(parts: TextPart[]): TextPart[] {
  return parts
    .map((p) =>
      p.match ? p : { ...p, text: p.text.replace(/[#*_`>|]+/g, '').replace(/\s+/g, ' ') },
    )
    .filter((p) => p.text.length > 0);
}

export class KbService {
  constructor(private readonly d: KbDeps) {}

  private at(): string {
    return this.d.now().toISOString();
  }

  // Search and read

  async search(query: SearchQuery, actor: KbActor): Promise<SearchAnswer> {
    const q = query.q.trim();
    if (!q) throw invalid('q: type something to search for', 'q');
    if (q.length > MAX_QUERY_LENGTH) {
      throw invalid(`q: longer than ${MAX_QUERY_LENGTH} characters`, 'q');
    }
    if (query.status && query.status !== 'published' && !actor.canWrite) {
      throw new AppError(
        403,
        'forbidden',
        'status: only editors (kb:write) see unpublished articles',
      );
    }
    const words = parseQuery(query.q);
    if (words.length === 0) throw invalid('q: type at least one letter or digit', 'q');
    const limit = Math.min(Math.max(1, query.limit), KB_LIMITS.searchResults);
    const filter = {
      statuses: visibleStatuses(actor.canWrite, query.status),
      language: query.language,
      categoryIds:
        query.categoryId === undefined ? undefined : await this.categoryIds(query.categoryId),
    };
    let matched: 'all' | 'any' = 'all';
    let hits = await this.d.store.search(matchExpression(words, 'all'), filter, limit);
    if (hits.length === 0 && words.length > 1) {
      matched = 'any';
      hits = await this.d.store.search(matchExpression(words, 'any'), filter, limit);
    }
    const items = hits.map((h): SearchResult => ({
      ...h.article,
      titleParts: splitMarked(h.titleMarked),
      snippet: tidySnippet(splitMarked(h.snippetMarked)),
    }));
    return { items, matched };
  }

  async list(
    f: {
      language?: KbLanguage;
      categoryId?: number;
      status?: KbStatus | 'any';
      limit: number;
      offset: number;
    },
    actor: KbActor,
  ): Promise<{ items: ArticleSummary[]; total: number }> {
    if (f.status && f.status !== 'published' && !actor.canWrite) {
      throw new AppError(
        403,
        'forbidden',
        'status: only editors (kb:write) see unpublished articles',
      );
    }
    return this.d.store.list({
      statuses: visibleStatuses(actor.canWrite, f.status ?? (actor.canWrite ? 'any' : undefined)),
      language: f.language,
      categoryIds: f.categoryId === undefined ? undefined : await this.categoryIds(f.categoryId),
      limit: f.limit,
      offset: f.offset,
    });
  }

  /** An article the actor may see: readers get published ones only, others are "not found". */
  private async visible(id: number, actor: KbActor): Promise<ArticleRow> {
    const a = await this.d.store.article(id);
    if (!a || (!actor.canWrite && a.status !== 'published')) throw notFound(id);
    return a;
  }

  async get(id: number, actor: KbActor): Promise<ArticleView> {
    const a = await this.visible(id, actor);
    let translation: ArticleView['translation'] = null;
    if (a.translationId !== null) {
      const t = await this.d.store.article(a.translationId);
      if (t && (actor.canWrite || t.status === 'published')) {
        translation = { id: t.id, language: t.language, title: t.title, status: t.status };
      }
    }
    return { ...a, translation };
  }

  async versions(id: number, actor: KbActor) {
    await this.visible(id, actor);
    return this.d.store.versions(id);
  }

  async version(id: number, version: number, actor: KbActor): Promise<VersionRow> {
    await this.visible(id, actor);
    const v = await this.d.store.version(id, version);
    if (!v) throw new AppError(404, 'not_found', `Article ${id} has no version ${version}`);
    return v;
  }

  // Write

  private async checkContent(input: ArticleInput): Promise<ArticleContent> {
    const content = checkArticle(input);
    if (content.categoryId !== null && !(await this.d.store.categoryExists(content.categoryId))) {
      throw invalid(`categoryId: no category ${content.categoryId}`, 'categoryId');
    }
    return content;
  }

  /** The article `translationId` may be linked to `id` (null for a new one) in `language`. */
  private async checkTranslation(
    id: number | null,
    language: KbLanguage,
    translationId: number | null,
  ): Promise<void> {
    if (translationId === null) return;
    if (translationId === id) {
      throw invalid('translationId: an article cannot be its own translation', 'translationId');
    }
    const t = await this.d.store.article(translationId);
    if (!t) throw invalid(`translationId: no article ${translationId}`, 'translationId');
    if (t.language === language) {
      throw invalid(
        `translationId: article ${translationId} is in ${LANGUAGE_NAMES[language]} like this one; link an article in the other language`,
        'translationId',
      );
    }
  }

  /** Links `id` and `translationId` both ways, unlinking their former partners. */
  private static async link(
    store: KbStore,
    id: number,
    current: number | null,
    translationId: number | null,
  ): Promise<void> {
    if (current === translationId) return;
    if (current !== null) await store.setTranslation(current, null);
    if (translationId !== null) {
      const partner = await store.article(translationId);
      if (partner?.translationId != null && partner.translationId !== id) {
        await store.setTranslation(partner.translationId, null);
      }
      await store.setTranslation(translationId, id);
    }
    await store.setTranslation(id, translationId);
  }

  async create(
    input: SaveInput & { status?: 'draft' | 'published' },
    by: string,
  ): Promise<ArticleView> {
    const content = await this.checkContent(input);
    const note = checkNote(input.note);
    const status = input.status ?? 'draft';
    if (status === 'published' && !content.body) {
      throw invalid('body: an empty article cannot be published', 'body');
    }
    const translationId = input.translationId ?? null;
    await this.checkTranslation(null, content.language, translationId);
    const v: NewVersion = { ...content, note, at: this.at(), by };
    const id = await this.d.store.transaction(async (store) => {
      const articleId = await store.insertArticle(v, status);
      await store.insertVersion(articleId, 1, v);
      await store.index(articleId, indexDoc(content));
      await KbService.link(store, articleId, null, translationId);
      return articleId;
    });
    return this.get(id, { username: by, canWrite: true });
  }

  /** Saves a new version based on `baseVersion`; 409 when someone saved in between. */
  async update(
    id: number,
    input: SaveInput,
    baseVersion: number,
    by: string,
  ): Promise<ArticleView> {
    const current = await this.d.store.article(id);
    if (!current) throw notFound(id);
    const content = await this.checkContent(input);
    const note = checkNote(input.note);
    if (current.status === 'published' && !content.body) {
      throw invalid('body: a published article cannot be empty; archive it instead', 'body');
    }
    const translationId =
      input.translationId === undefined ? current.translationId : input.translationId;
    await this.checkTranslation(id, content.language, translationId);
    await this.saveVersion(current, content, note, baseVersion, by, translationId);
    return this.get(id, { username: by, canWrite: true });
  }

  /** Saves the content of an old version as a new version. */
  async restore(
    id: number,
    version: number,
    baseVersion: number | undefined,
    by: string,
  ): Promise<ArticleView> {
    const current = await this.d.store.article(id);
    if (!current) throw notFound(id);
    const old = await this.d.store.version(id, version);
    if (!old) throw new AppError(404, 'not_found', `Article ${id} has no version ${version}`);
    const content: ArticleContent = {
      language: old.language,
      title: old.title,
      body: old.body,
      // The category may have moved since; it still exists (categories are never deleted).
      categoryId: old.categoryId,
      tags: old.tags,
    };
    if (current.status === 'published' && !content.body) {
      throw invalid('version: that version is empty and the article is published', 'version');
    }
    let translationId = current.translationId;
    if (translationId !== null) {
      const t = await this.d.store.article(translationId);
      if (t?.language === content.language) translationId = null;
    }
    await this.saveVersion(
      current,
      content,
      `Restored version ${version}`,
      baseVersion ?? current.version,
      by,
      translationId,
    );
    return this.get(id, { username: by, canWrite: true });
  }

  private async saveVersion(
    current: ArticleRow,
    content: ArticleContent,
    note: string | null,
    baseVersion: number,
    by: string,
    translationId: number | null,
  ): Promise<void> {
    const v: NewVersion = { ...content, note, at: this.at(), by };
    await this.d.store.transaction(async (store) => {
      const latest = await store.article(current.id);
      if (!latest) throw notFound(current.id);
      const next = latest.version + 1;
      if (
        latest.version !== baseVersion ||
        !(await store.setCurrent(current.id, baseVersion, next, v))
      ) {
        throw conflict(latest, baseVersion);
      }
      await store.insertVersion(current.id, next, v);
      await store.index(current.id, indexDoc(content));
      await KbService.link(store, current.id, latest.translationId, translationId);
    });
  }

  async setStatus(id: number, status: KbStatus, by: string): Promise<ArticleView> {
    const a = await this.d.store.article(id);
    if (!a) throw notFound(id);
    if (status === 'published' && !a.body) {
      throw invalid('status: an empty article cannot be published; write its body first', 'status');
    }
    if (a.status !== status) await this.d.store.setStatus(id, status, this.at(), by);
    return this.get(id, { username: by, canWrite: true });
  }

  // Categories

  async categories(): Promise<Category[]> {
    return this.d.store.categories();
  }

  private async categoryIds(id: number): Promise<number[]> {
    const all = await this.d.store.categories();
    if (!all.some((c) => c.id === id)) throw invalid(`category: no category ${id}`, 'category');
    return withDescendants(all, id);
  }

  async createCategory(input: CategoryInput): Promise<Category> {
    const c = checkCategory(input);
    checkParent(await this.d.store.categories(), null, c.parentId);
    const id = await this.d.store.insertCategory(c, this.at());
    return { id, ...c };
  }

  /**
   * Loads a starter set of categories and published articles, linking translations, when the
   * knowledge base is empty; does nothing otherwise. Returns how many articles it added.
   */
  async seed(
    categories: readonly DemoCategory[],
    articles: readonly DemoArticle[],
    by: string,
  ): Promise<number> {
    if ((await this.d.store.categories()).length > 0) return 0;
    const any = await this.d.store.list({
      statuses: ['draft', 'published', 'archived'],
      limit: 1,
      offset: 0,
    });
    if (any.total > 0) return 0;
    const categoryIds = new Map<string, number>();
    for (const [i, c] of categories.entries()) {
      const parentId = c.parent === undefined ? null : (categoryIds.get(c.parent) ?? null);
      const created = await this.createCategory({ ...c, parentId, position: i });
      categoryIds.set(c.key, created.id);
    }
    const articleIds = new Map<string, number>();
    for (const a of articles) {
      const created = await this.create(
        {
          language: a.language,
          title: a.title,
          body: a.body,
          tags: a.tags,
          categoryId: categoryIds.get(a.category) ?? null,
          translationId: a.translationOf ? (articleIds.get(a.translationOf) ?? null) : null,
          status: 'published',
          note: 'Starter content',
        },
        by,
      );
      articleIds.set(a.key, created.id);
    }
    return articles.length;
  }

  async updateCategory(id: number, input: CategoryInput): Promise<Category> {
    const c = checkCategory(input);
    const all = await this.d.store.categories();
    if (!all.some((x) => x.id === id)) {
      throw new AppError(404, 'not_found', `No category ${id}`);
    }
    checkParent(all, id, c.parentId);
    await this.d.store.updateCategory(id, c, this.at());
    return { id, ...c };
  }
}

/** The normalised text an article's content is indexed under. */
export function indexDoc(c: ArticleContent): { title: string; body: string; tags: string } {
  return {
    title: indexText(c.title, c.language),
    body: indexText(c.body, c.language),
    tags: indexText(JSON.stringify(c.tags), c.language),
  };
}

function conflict(latest: ArticleRow, baseVersion: number): AppError {
  const who = latest.updatedBy ?? 'someone';
  return new AppError(
    409,
    'version_conflict',
    `Article ${latest.id} was saved by ${who} at ${latest.updatedAt} (version ${latest.version}) ` +
      `after the version ${baseVersion} you edited. Reload the article, apply your changes ` +
      `again and save.`,
    { currentVersion: latest.version, updatedBy: latest.updatedBy, updatedAt: latest.updatedAt },
  );
}

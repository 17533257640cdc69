import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';

// Shapes of `/api/kb` (see appliance/src/servicedesk/kb/schemas.ts).

export type KbLanguage = 'kk' | 'ru';
export type KbStatus = 'draft' | 'published' | 'archived';

export interface TextPart {
  text: string;
  match: boolean;
}

export interface KbArticleSummary {
  id: number;
  language: KbLanguage;
  categoryId: number | null;
  status: KbStatus;
  version: number;
  title: string;
  tags: string[];
  translationId: number | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  publishedAt: string | null;
}

export interface KbSearchResult extends KbArticleSummary {
  titleParts: TextPart[];
  snippet: TextPart[];
}

export interface KbArticle extends KbArticleSummary {
  body: string;
  translation: { id: number; language: KbLanguage; title: string; status: KbStatus } | null;
}

export interface KbVersion {
  version: number;
  language: KbLanguage;
  categoryId: number | null;
  title: string;
  tags: string[];
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface KbCategory {
  id: number;
  parentId: number | null;
  nameKk: string;
  nameRu: string;
  nameEn: string;
  position: number;
}

export interface KbDraft {
  language: KbLanguage;
  title: string;
  body: string;
  categoryId: number | null;
  tags: string[];
  note: string;
  status: 'draft' | 'published';
}

/** Wait after the last keystroke before searching. */
export const SEARCH_DEBOUNCE_MS = 200;
/** Longest query the controller accepts. */
export const MAX_QUERY_LENGTH = 200;

/** Tags as typed in one field, comma-separated. */
export function parseTags(text: string): string[] {
  const tags: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/**
 * The knowledge base in the console: search as the operator types (debounced, the previous
 * request cancelled), one open article with its versions, and for editors saving, restoring,
 * publishing and archiving with the version the edit started from.
 */
export class KbManager {
  #query = $state('');
  #language = $state<KbLanguage | ''>('');
  #categoryId = $state<number | null>(null);
  #results = $state.raw<KbSearchResult[]>([]);
  #recent = $state.raw<KbArticleSummary[]>([]);
  #matched = $state<'all' | 'any'>('all');
  #searching = $state(false);
  #searchedFor = $state('');
  #searchError = $state.raw<ApiError | null>(null);
  #categories = $state.raw<KbCategory[]>([]);
  #article = $state.raw<KbArticle | null>(null);
  #versions = $state.raw<KbVersion[]>([]);
  #loading = $state(false);
  #error = $state.raw<ApiError | null>(null);
  #saving = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight: AbortController | null = null;
  readonly #api: ApiClient;
  readonly #debounceMs: number;

  constructor(client: ApiClient = defaultApi, debounceMs = SEARCH_DEBOUNCE_MS) {
    this.#api = client;
    this.#debounceMs = debounceMs;
  }

  get query(): string {
    return this.#query;
  }
  get language(): KbLanguage | '' {
    return this.#language;
  }
  get categoryId(): number | null {
    return this.#categoryId;
  }
  get results(): KbSearchResult[] {
    return this.#results;
  }
  /** Articles most recently changed, shown while the search box is empty. */
  get recent(): KbArticleSummary[] {
    return this.#recent;
  }
  get matched(): 'all' | 'any' {
    return this.#matched;
  }
  get searching(): boolean {
    return this.#searching;
  }
  /** The query the results belong to. */
  get searchedFor(): string {
    return this.#searchedFor;
  }
  get searchError(): ApiError | null {
    return this.#searchError;
  }
  get categories(): KbCategory[] {
    return this.#categories;
  }
  get article(): KbArticle | null {
    return this.#article;
  }
  get versions(): KbVersion[] {
    return this.#versions;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): ApiError | null {
    return this.#error;
  }
  get saving(): boolean {
    return this.#saving;
  }

  /** Categories and the recently changed articles. */
  async load(): Promise<void> {
    try {
      const [categories, recent] = await Promise.all([
        this.#api.get<{ items: KbCategory[] }>('/api/kb/categories'),
        this.#api.get<{ items: KbArticleSummary[] }>('/api/kb/articles', {
          query: { limit: 20, lang: this.#language || undefined },
        }),
      ]);
      this.#categories = categories.items;
      this.#recent = recent.items;
    } catch (error) {
      this.#searchError = toApiError(error);
    }
  }

  /** The operator typed: search after a pause. */
  setQuery(query: string): void {
    this.#query = query;
    this.#schedule();
  }

  setLanguage(language: KbLanguage | ''): void {
    this.#language = language;
    this.#schedule(0);
    if (!this.#query.trim()) void this.load();
  }

  setCategory(categoryId: number | null): void {
    this.#categoryId = categoryId;
    this.#schedule(0);
  }

  #schedule(delay = this.#debounceMs): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.search();
    }, delay);
  }

  /** Searches now for the current query; an empty query clears the results. */
  async search(): Promise<void> {
    this.#inFlight?.abort();
    const q = this.#query.trim() ? this.#query.slice(0, MAX_QUERY_LENGTH) : '';
    if (!q || !/[\p{L}\p{N}]/u.test(q)) {
      this.#inFlight = null;
      this.#results = [];
      this.#searchedFor = '';
      this.#searching = false;
      this.#searchError = null;
      return;
    }
    const controller = new AbortController();
    this.#inFlight = controller;
    this.#searching = true;
    try {
      const answer = await this.#api.get<{ items: KbSearchResult[]; matched: 'all' | 'any' }>(
        '/api/kb/search',
        {
          query: {
            q,
            lang: this.#language || undefined,
            category: this.#categoryId ?? undefined,
            limit: 20,
          },
          signal: controller.signal,
        },
      );
      if (this.#inFlight !== controller) return;
      this.#results = answer.items;
      this.#matched = answer.matched;
      this.#searchedFor = q;
      this.#searchError = null;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      if (this.#inFlight !== controller) return;
      this.#searchError = toApiError(error);
    } finally {
      if (this.#inFlight === controller) {
        this.#searching = false;
        this.#inFlight = null;
      }
    }
  }

  /** Opens an article with its version history. */
  async open(id: number): Promise<void> {
    this.#loading = true;
    this.#error = null;
    try {
      const [article, versions] = await Promise.all([
        this.#api.get<KbArticle>(`/api/kb/articles/${id}`),
        this.#api.get<{ items: KbVersion[] }>(`/api/kb/articles/${id}/versions`),
      ]);
      this.#article = article;
      this.#versions = versions.items;
    } catch (error) {
      this.#article = null;
      this.#versions = [];
      this.#error = toApiError(error);
    } finally {
      this.#loading = false;
    }
  }

  close(): void {
    this.#article = null;
    this.#versions = [];
    this.#error = null;
  }

  async #write(run: () => Promise<KbArticle>): Promise<KbArticle> {
    this.#saving = true;
    try {
      const article = await run();
      this.#article = article;
      this.#versions = (
        await this.#api.get<{ items: KbVersion[] }>(`/api/kb/articles/${article.id}/versions`)
      ).items;
      this.#error = null;
      // What was found before may have changed.
      if (this.#query.trim()) this.#schedule(0);
      else void this.load();
      return article;
    } catch (error) {
      throw toApiError(error);
    } finally {
      this.#saving = false;
    }
  }

  /** Creates an article; the controller answers with version 1. */
  create(draft: KbDraft): Promise<KbArticle> {
    return this.#write(() =>
      this.#api.post<KbArticle>('/api/kb/articles', {
        language: draft.language,
        title: draft.title,
        body: draft.body,
        categoryId: draft.categoryId,
        tags: draft.tags,
        note: draft.note || null,
        status: draft.status,
      }),
    );
  }

  /**
   * Saves a new version of the open article, based on the version the editor started from; a
   * 409 (someone saved in between) is thrown with code `version_conflict`.
   */
  update(id: number, baseVersion: number, draft: Omit<KbDraft, 'status'>): Promise<KbArticle> {
    return this.#write(() =>
      this.#api.put<KbArticle>(`/api/kb/articles/${id}`, {
        language: draft.language,
        title: draft.title,
        body: draft.body,
        categoryId: draft.categoryId,
        tags: draft.tags,
        note: draft.note || null,
        baseVersion,
      }),
    );
  }

  restore(id: number, version: number, baseVersion: number): Promise<KbArticle> {
    return this.#write(() =>
      this.#api.post<KbArticle>(`/api/kb/articles/${id}/restore`, { version, baseVersion }),
    );
  }

  setStatus(id: number, status: KbStatus): Promise<KbArticle> {
    return this.#write(() =>
      this.#api.post<KbArticle>(`/api/kb/articles/${id}/status`, { status }),
    );
  }

  reset(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#inFlight?.abort();
    this.#inFlight = null;
    this.#query = '';
    this.#language = '';
    this.#categoryId = null;
    this.#results = [];
    this.#recent = [];
    this.#searchedFor = '';
    this.#searching = false;
    this.#searchError = null;
    this.#article = null;
    this.#versions = [];
    this.#error = null;
  }
}

export const kbManager = new KbManager();

/**
 * Knowledge-base articles and categories as data, and the checks on what an editor sends: pure,
 * no I/O. A failed check is a 400 whose message starts with the field it is about.
 */
import { AppError } from '../../admin/errors.js';
import type { KbStatus } from '../../db/schema.js';
import { cleanText, type KbLanguage } from './text.js';

export const KB_LANGUAGES: readonly KbLanguage[] = ['kk', 'ru'];
export const KB_STATUSES: readonly KbStatus[] = ['draft', 'published', 'archived'];

export const KB_LIMITS = {
  title: 200,
  body: 100_000,
  tags: 20,
  tag: 40,
  note: 500,
  categoryName: 100,
  categoryDepth: 4,
  /** Most results one search returns. */
  searchResults: 50,
} as const;

export const LANGUAGE_NAMES: Record<KbLanguage, string> = { kk: 'Kazakh', ru: 'Russian' };

/** What an editor sends when creating or saving an article. */
export interface ArticleInput {
  language: KbLanguage;
  title: string;
  body: string;
  categoryId: number | null;
  tags: string[];
}

/** The content of one version, cleaned and checked. */
export interface ArticleContent {
  language: KbLanguage;
  title: string;
  body: string;
  categoryId: number | null;
  tags: string[];
}

export interface CategoryInput {
  parentId: number | null;
  nameKk: string;
  nameRu: string;
  nameEn: string;
  position: number;
}

export interface Category extends CategoryInput {
  id: number;
}

function invalid(message: string, field: string): AppError {
  return new AppError(400, 'validation', message, { field });
}

/** Tags are lower case, single-spaced, unique, in the order given. */
export function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const tag = cleanText(raw, false).trim().replace(/\s+/g, ' ').toLowerCase();
    if (!tag) continue;
    if (tag.length > KB_LIMITS.tag) {
      throw invalid(`tags: "${tag}" is longer than ${KB_LIMITS.tag} characters`, 'tags');
    }
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > KB_LIMITS.tags) {
    throw invalid(`tags: at most ${KB_LIMITS.tags} tags per article`, 'tags');
  }
  return out;
}

/** Cleans an article's text and checks what the schema cannot. */
export function checkArticle(input: ArticleInput): ArticleContent {
  if (!KB_LANGUAGES.includes(input.language)) {
    throw invalid(
      `language: unknown language ${JSON.stringify(input.language)}; use kk or ru`,
      'language',
    );
  }
  const title = cleanText(input.title, false).trim().replace(/\s+/g, ' ');
  if (!title) throw invalid('title: must not be empty', 'title');
  if (title.length > KB_LIMITS.title) {
    throw invalid(`title: longer than ${KB_LIMITS.title} characters`, 'title');
  }
  const body = cleanText(input.body, true)
    .replace(/[ \t]+$/gm, '')
    .trim();
  if (body.length > KB_LIMITS.body) {
    throw invalid(`body: longer than ${KB_LIMITS.body} characters`, 'body');
  }
  return {
    language: input.language,
    title,
    body,
    categoryId: input.categoryId,
    tags: normaliseTags(input.tags),
  };
}

export function checkNote(note: string | null | undefined): string | null {
  const n = cleanText(note ?? '', false).trim();
  if (n.length > KB_LIMITS.note) {
    throw invalid(`note: longer than ${KB_LIMITS.note} characters`, 'note');
  }
  return n || null;
}

export function checkCategory(input: CategoryInput): CategoryInput {
  const names = { nameKk: input.nameKk, nameRu: input.nameRu, nameEn: input.nameEn };
  const out = { ...input };
  for (const [field, value] of Object.entries(names) as Array<[keyof typeof names, string]>) {
    const name = cleanText(value, false).trim().replace(/\s+/g, ' ');
    if (!name) throw invalid(`${field}: must not be empty`, field);
    if (name.length > KB_LIMITS.categoryName) {
      throw invalid(`${field}: longer than ${KB_LIMITS.categoryName} characters`, field);
    }
    out[field] = name;
  }
  return out;
}

/**
 * Checks that `parentId` may be the parent of category `id` (null for a new one): it exists, is
 * not the category itself or one of its descendants, and the tree stays shallow.
 */
export function checkParent(
  categories: readonly Category[],
  id: number | null,
  parentId: number | null,
): void {
  if (parentId === null) return;
  const byId = new Map(categories.map((c) => [c.id, c]));
  if (!byId.has(parentId)) throw invalid(`parentId: no category ${parentId}`, 'parentId');
  const ancestors: number[] = [];
  for (let at: number | null = parentId; at !== null && ancestors.length <= categories.length;) {
    if (at === id) {
      throw invalid(
        `parentId: category ${parentId} is inside category ${id}; a category cannot be its own ancestor`,
        'parentId',
      );
    }
    ancestors.push(at);
    at = byId.get(at)?.parentId ?? null;
  }
  const levels = ancestors.length + 1 + (id === null ? 0 : subtreeHeight(categories, id));
  if (levels > KB_LIMITS.categoryDepth) {
    throw invalid(
      `parentId: categories nest at most ${KB_LIMITS.categoryDepth} levels deep`,
      'parentId',
    );
  }
}

function subtreeHeight(categories: readonly Category[], id: number): number {
  const children = categories.filter((c) => c.parentId === id);
  return children.length === 0
    ? 0
    : 1 + Math.max(...children.map((c) => subtreeHeight(categories, c.id)));
}

/** A category and every category below it. */
export function withDescendants(categories: readonly Category[], id: number): number[] {
  const out = [id];
  for (let i = 0; i < out.length; i++) {
    for (const c of categories) if (c.parentId === out[i] && !out.includes(c.id)) out.push(c.id);
  }
  return out;
}

/** Statuses a reader without `kb:write` may see. */
export function visibleStatuses(canWrite: boolean, asked?: KbStatus | 'any'): KbStatus[] {
  if (!canWrite) return ['published'];
  if (!asked) return ['published', 'draft'];
  return asked === 'any' ? [...KB_STATUSES] : [asked];
}

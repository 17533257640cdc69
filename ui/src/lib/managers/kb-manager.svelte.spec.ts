import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import { KbManager, parseTags, type KbArticle } from './kb-manager.svelte';

function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const article: KbArticle = {
  id: 5,
  language: 'ru',
  categoryId: null,
  status: 'published',
  version: 2,
  title: 'Оплата',
  body: 'Текст',
  tags: [],
  translationId: null,
  translation: null,
  createdAt: '2025-11-25T10:00:00.000Z',
  createdBy: 'supervisor1',
  updatedAt: '2025-11-25T11:00:00.000Z',
  updatedBy: 'supervisor1',
  publishedAt: '2025-11-25T10:00:00.000Z',
};

function setup(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const urls: string[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    urls.push(String(url));
    return handler(String(url), init ?? {});
  });
  const kb = new KbManager(new ApiClient(fetchImpl as unknown as typeof fetch), 200);
  return { kb, urls };
}

describe('KbManager', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('searches once the operator pauses, with the filters', async () => {
    const { kb, urls } = setup(() =>
      json(200, {
        matched: 'all',
        items: [{ ...article, titleParts: [{ text: 'Оплата', match: true }], snippet: [] }],
      }),
    );
    kb.setLanguage('kk');
    kb.setQuery('о');
    kb.setQuery('оп');
    kb.setQuery('опл');
    await vi.advanceTimersByTimeAsync(199);
    expect(urls.filter((u) => u.startsWith('/api/kb/search'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const searches = urls.filter((u) => u.startsWith('/api/kb/search'));
    expect(searches).toEqual(['/api/kb/search?q=%D0%BE%D0%BF%D0%BB&lang=kk&limit=20']);
    expect(kb.results.map((r) => r.id)).toEqual([5]);
    expect(kb.searchedFor).toBe('опл');
  });

  it('does not ask the controller for an empty query or punctuation', async () => {
    const { kb, urls } = setup(() => json(500));
    kb.setQuery('  ?! ');
    await vi.advanceTimersByTimeAsync(300);
    expect(urls).toEqual([]);
    expect(kb.results).toEqual([]);
    expect(kb.searchError).toBeNull();
  });

  it('keeps the search error to show it', async () => {
    const { kb } = setup(() =>
      json(400, { statusCode: 400, code: 'validation', message: 'q: type something' }),
    );
    kb.setQuery('abc');
    await vi.advanceTimersByTimeAsync(200);
    expect(kb.searchError).toMatchObject({ status: 400, message: 'q: type something' });
  });

  it('saves with the version the edit started from and surfaces a conflict', async () => {
    const bodies: unknown[] = [];
    const { kb } = setup((url, init) => {
      if (init.method === 'PUT') {
        bodies.push(JSON.parse(String(init.body)));
        return json(409, {
          statusCode: 409,
          code: 'version_conflict',
          message: 'Article 5 was saved by admin',
          currentVersion: 3,
        });
      }
      return json(200, url.endsWith('/versions') ? { items: [] } : article);
    });
    const err = await kb
      .update(5, 2, {
        language: 'ru',
        title: 'Оплата',
        body: 'Новый текст',
        categoryId: null,
        tags: ['оплата'],
        note: '',
      })
      .catch((e: unknown) => e);
    expect(bodies[0]).toMatchObject({ baseVersion: 2, note: null, tags: ['оплата'] });
    expect(err).toMatchObject({ status: 409, code: 'version_conflict' });
    expect(kb.saving).toBe(false);
  });

  it('opens an article with its versions and reports a missing one', async () => {
    const { kb } = setup((url) => {
      if (url.includes('/9'))
        return json(404, { statusCode: 404, code: 'not_found', message: 'No article 9' });
      return json(
        200,
        url.endsWith('/versions') ? { items: [{ version: 2 }, { version: 1 }] } : article,
      );
    });
    await kb.open(5);
    expect(kb.article?.title).toBe('Оплата');
    expect(kb.versions.map((v) => v.version)).toEqual([2, 1]);
    await kb.open(9);
    expect(kb.article).toBeNull();
    expect(kb.error?.status).toBe(404);
  });
});

describe('parseTags', () => {
  it('splits on commas, trims, lower-cases and drops duplicates', () => {
    expect(parseTags(' DVB-T2, настройка ,, Настройка,  спутник  тв ')).toEqual([
      'dvb-t2',
      'настройка',
      'спутник тв',
    ]);
  });
});

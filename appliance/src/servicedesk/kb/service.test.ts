import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../admin/errors.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../db/database.js';
import { TestClock } from '../../test-support.js';
import { DEMO_KB_ARTICLES, DEMO_KB_CATEGORIES } from './demo-content.js';
import { KbService, type KbActor, type SaveInput } from './service.js';
import { KbStore } from './store.js';

const EDITOR: KbActor = { username: 'supervisor1', canWrite: true };
const READER: KbActor = { username: 'operator1', canWrite: false };

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('KbService on a SQLite file', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let clock: TestClock;
  let store: KbStore;
  let kb: KbService;
  let tv: number;

  const article = (over: Partial<SaveInput> = {}): SaveInput => ({
    language: 'ru',
    title: 'Как перенастроить каналы',
    body: 'Откройте меню телевизора и запустите автопоиск каналов DVB-T2.',
    categoryId: tv,
    tags: ['Настройка', 'DVB-T2'],
    ...over,
  });

  const search = (q: string, actor = READER, extra: { language?: 'kk' | 'ru' } = {}) =>
    kb.search({ q, limit: 20, ...extra }, actor);
  const titles = async (q: string, actor = READER) =>
    (await search(q, actor)).items.map((i) => i.title);

  async function count(table: 'kb_articles' | 'kb_article_versions' | 'kb_search_docs') {
    const r = await opened.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kcc-kb-'));
    opened = openDatabase(path.join(dir, 'kb.sqlite'));
    await migrateToLatest(opened.db);
    clock = new TestClock();
    store = new KbStore(opened.db);
    kb = new KbService({ store, now: clock.now });
    tv = (
      await kb.createCategory({
        parentId: null,
        nameKk: 'Телевидение',
        nameRu: 'Телевидение',
        nameEn: 'Television',
        position: 0,
      })
    ).id;
  });

  afterEach(async () => {
    await opened.db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  describe('search', () => {
    beforeEach(async () => {
      await kb.create({ ...article(), status: 'published' }, 'supervisor1');
      await kb.create(
        {
          ...article({
            language: 'kk',
            title: 'Қазақстанда OTAU TV спутниктік телевидениесіне қосылу',
            body: 'Смарт-картаны тіркеу үшін 193 нөміріне қоңырау шалыңыз. Арналарды іздеу.',
            tags: ['спутник'],
          }),
          status: 'published',
        },
        'supervisor1',
      );
      await kb.create(
        article({ title: 'Черновик о радиовещании', body: 'Частоты радиостанций по регионам.' }),
        'supervisor1',
      );
    });

    it('finds an article by another inflected form of its words', async () => {
      expect(await titles('перенастройка канала ')).toEqual(['Как перенастроить каналы']);
      expect(await titles('арналар ')).toEqual([
        'Қазақстанда OTAU TV спутниктік телевидениесіне қосылу',
      ]);
    });

    it('finds Kazakh letters typed as their Russian look-alikes', async () => {
      expect(await titles('казакстан ')).toEqual([
        'Қазақстанда OTAU TV спутниктік телевидениесіне қосылу',
      ]);
      expect(await titles('КАЗАКСТАННЫН ')).toHaveLength(1);
      expect(await titles('тиркеу ')).toHaveLength(1);
    });

    it('finds by the prefix of the word being typed', async () => {
      expect(await titles('перенастр')).toEqual(['Как перенастроить каналы']);
      expect(await titles('спутн')).toHaveLength(1);
    });

    it('highlights the original words of title and snippet', async () => {
      const [hit] = (await search('каналов автопоиск')).items;
      expect(hit!.titleParts).toEqual([
        { text: 'Как перенастроить ', match: false },
        { text: 'каналы', match: true },
      ]);
      expect(hit!.snippet.filter((p) => p.match).map((p) => p.text)).toEqual([
        'автопоиск',
        'каналов',
      ]);
    });

    it('ranks a title match above a body match', async () => {
      await kb.create(
        {
          ...article({
            title: 'Пульт',
            body: 'Если не работают каналы, замените батарейки пульта.',
          }),
          status: 'published',
        },
        'supervisor1',
      );
      expect((await titles('каналы '))[0]).toBe('Как перенастроить каналы');
    });

    it('finds by tag and filters by language', async () => {
      expect(await titles('dvb')).toEqual(['Как перенастроить каналы']);
      expect((await search('193', READER, { language: 'ru' })).items).toEqual([]);
      expect((await search('193', READER, { language: 'kk' })).items).toHaveLength(1);
    });

    it('hides drafts from readers and shows them to editors', async () => {
      expect(await titles('радиовещание')).toEqual([]);
      expect(await titles('радиовещание', EDITOR)).toEqual(['Черновик о радиовещании']);
      const err = await rejection(kb.search({ q: 'радио', limit: 5, status: 'draft' }, READER));
      expect(err.statusCode).toBe(403);
    });

    it('falls back to any word when no article has every word', async () => {
      const answer = await search('каналы луна ');
      expect(answer.matched).toBe('any');
      expect(answer.items.map((i) => i.title)).toEqual(['Как перенастроить каналы']);
    });

    it('refuses an empty or over-long query naming q', async () => {
      for (const q of ['', '   ', '?!', 'к'.repeat(201)]) {
        const err = await rejection(search(q));
        expect(err.statusCode).toBe(400);
        expect(err.message).toMatch(/^q: /);
      }
    });

    it('filters by category including its subcategories', async () => {
      const sub = await kb.createCategory({
        parentId: tv,
        nameKk: 'Спутник',
        nameRu: 'Спутник',
        nameEn: 'Satellite',
        position: 0,
      });
      await kb.create(
        { ...article({ title: 'Конвертер', categoryId: sub.id }), status: 'published' },
        'supervisor1',
      );
      const inTv = await kb.search({ q: 'каналы', limit: 20, categoryId: tv }, READER);
      expect(inTv.items.map((i) => i.title).sort()).toEqual([
        'Как перенастроить каналы',
        'Конвертер',
      ]);
      const inSub = await kb.search({ q: 'каналы', limit: 20, categoryId: sub.id }, READER);
      expect(inSub.items.map((i) => i.title)).toEqual(['Конвертер']);
      const err = await rejection(kb.search({ q: 'каналы', limit: 20, categoryId: 999 }, READER));
      expect(err.message).toBe('category: no category 999');
    });
  });

  describe('versions', () => {
    it('keeps every save as a version with who, when and the note', async () => {
      const a = await kb.create(article({ note: 'first' }), 'supervisor1');
      expect(a.version).toBe(1);
      clock.advance(60_000);
      const b = await kb.update(
        a.id,
        article({ title: 'Перенастройка каналов DVB-T2', note: 'clearer title' }),
        1,
        'admin',
      );
      expect(b.version).toBe(2);
      expect(b.updatedBy).toBe('admin');
      const versions = await kb.versions(a.id, EDITOR);
      expect(versions.map((v) => [v.version, v.title, v.createdBy, v.note])).toEqual([
        [2, 'Перенастройка каналов DVB-T2', 'admin', 'clearer title'],
        [1, 'Как перенастроить каналы', 'supervisor1', 'first'],
      ]);
      expect(versions[0]!.createdAt).toBe('2025-11-25T12:01:00.000Z');
      expect((await kb.version(a.id, 1, EDITOR)).body).toMatch(/автопоиск/);
    });

    it('refuses a save based on a stale version with 409 and keeps the other save', async () => {
      const a = await kb.create(article(), 'supervisor1');
      await kb.update(a.id, article({ body: 'Правка Гүлнар.' }), 1, 'supervisor1');
      const err = await rejection(kb.update(a.id, article({ body: 'Правка Ерлана.' }), 1, 'admin'));
      expect(err.statusCode).toBe(409);
      expect(err.code).toBe('version_conflict');
      expect(err.message).toMatch(
        /saved by supervisor1 .* \(version 2\) after the version 1 you edited/,
      );
      expect(err.details?.currentVersion).toBe(2);
      expect((await kb.get(a.id, EDITOR)).body).toBe('Правка Гүлнар.');
      expect(await count('kb_article_versions')).toBe(2);
    });

    it('restores an old version as a new version and reindexes it', async () => {
      const a = await kb.create({ ...article(), status: 'published' }, 'supervisor1');
      await kb.update(
        a.id,
        article({ title: 'Пульт не работает', body: 'Замените батарейки.' }),
        1,
        'admin',
      );
      expect(await titles('каналы')).toEqual([]);
      const restored = await kb.restore(a.id, 1, 2, 'supervisor1');
      expect(restored.version).toBe(3);
      expect(restored.title).toBe('Как перенастроить каналы');
      const [latest] = await kb.versions(a.id, EDITOR);
      expect(latest!.note).toBe('Restored version 1');
      expect(await titles('каналы')).toEqual(['Как перенастроить каналы']);
      expect(await titles('батарейки')).toEqual([]);
      expect((await rejection(kb.restore(a.id, 9, undefined, 'admin'))).statusCode).toBe(404);
      expect((await rejection(kb.restore(a.id, 1, 2, 'admin'))).statusCode).toBe(409);
    });
  });

  describe('input', () => {
    it('rejects bad input naming the field and writes nothing', async () => {
      const cases: Array<[Partial<SaveInput>, RegExp]> = [
        [{ categoryId: 999 }, /^categoryId: no category 999$/],
        [{ title: '   ' }, /^title: must not be empty/],
        [{ title: 'x'.repeat(201) }, /^title: longer than 200/],
        [{ language: 'en' as 'kk' }, /^language: unknown language "en"/],
        [{ tags: ['a'.repeat(41)] }, /^tags: /],
        [{ translationId: 999 }, /^translationId: no article 999/],
      ];
      for (const [over, message] of cases) {
        const err = await rejection(kb.create(article(over), 'supervisor1'));
        expect(err.statusCode).toBe(400);
        expect(err.message).toMatch(message);
      }
      expect(await count('kb_articles')).toBe(0);
      expect(await count('kb_article_versions')).toBe(0);
      expect(await count('kb_search_docs')).toBe(0);
      expect((await search('каналы', EDITOR)).items).toEqual([]);
    });

    it('rolls back the article and its version when the index write fails', async () => {
      await opened.db.schema.dropTable('kb_search_docs').execute();
      await expect(kb.create(article(), 'supervisor1')).rejects.toThrow(/kb_search_docs/);
      expect(await count('kb_articles')).toBe(0);
      expect(await count('kb_article_versions')).toBe(0);
    });

    it('links translations both ways and only across languages', async () => {
      const ru = await kb.create(article(), 'supervisor1');
      const err = await rejection(kb.create(article({ translationId: ru.id }), 'supervisor1'));
      expect(err.message).toMatch(/^translationId: article \d+ is in Russian like this one/);
      const kk = await kb.create(
        article({ language: 'kk', title: 'Арналарды баптау', translationId: ru.id }),
        'supervisor1',
      );
      expect(kk.translation).toMatchObject({ id: ru.id, language: 'ru' });
      expect((await kb.get(ru.id, EDITOR)).translation).toMatchObject({
        id: kk.id,
        language: 'kk',
      });
      await kb.update(kk.id, article({ language: 'kk', translationId: null }), 1, 'admin');
      expect((await kb.get(ru.id, EDITOR)).translationId).toBeNull();
    });

    it('hides drafts and archived articles from readers, who get 404', async () => {
      const a = await kb.create(article(), 'supervisor1');
      expect((await rejection(kb.get(a.id, READER))).statusCode).toBe(404);
      await kb.setStatus(a.id, 'published', 'supervisor1');
      expect((await kb.get(a.id, READER)).publishedAt).toBe('2025-11-25T12:00:00.000Z');
      await kb.setStatus(a.id, 'archived', 'supervisor1');
      expect((await rejection(kb.get(a.id, READER))).statusCode).toBe(404);
      expect((await rejection(kb.versions(a.id, READER))).statusCode).toBe(404);
      expect((await kb.list({ limit: 10, offset: 0 }, READER)).total).toBe(0);
      expect((await kb.list({ limit: 10, offset: 0 }, EDITOR)).total).toBe(1);
    });

    it('keeps the category tree free of cycles', async () => {
      const child = await kb.createCategory({
        parentId: tv,
        nameKk: 'Бала',
        nameRu: 'Дочерняя',
        nameEn: 'Child',
        position: 0,
      });
      const err = await rejection(
        kb.updateCategory(tv, {
          parentId: child.id,
          nameKk: 'Т',
          nameRu: 'Т',
          nameEn: 'T',
          position: 0,
        }),
      );
      expect(err.message).toMatch(/^parentId: .*cannot be its own ancestor/);
      const bad = await rejection(
        kb.createCategory({ parentId: 77, nameKk: 'a', nameRu: 'b', nameEn: 'c', position: 0 }),
      );
      expect(bad.message).toBe('parentId: no category 77');
    });
  });

  it('seeds the demo knowledge base once, searchable in both languages', async () => {
    await opened.db.deleteFrom('kb_categories').execute();
    const added = await kb.seed(DEMO_KB_CATEGORIES, DEMO_KB_ARTICLES, 'system');
    expect(added).toBe(DEMO_KB_ARTICLES.length);
    expect(await kb.seed(DEMO_KB_CATEGORIES, DEMO_KB_ARTICLES, 'system')).toBe(0);
    expect(await count('kb_articles')).toBe(DEMO_KB_ARTICLES.length);
    expect((await titles('перенастроить каналы'))[0]).toMatch(/перенастроить каналы/);
    expect((await titles('арналарды баптау'))[0]).toMatch(/баптау/);
    expect((await titles('дербес шот'))[0]).toMatch(/дербес шот/);
    // A brand written in Latin letters, typed in Cyrillic.
    expect((await titles('отау тв')).length).toBeGreaterThan(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../db/schema.js';
import type { App } from '../../http/app.js';
import { buildTestApp, signInAll, createUsers } from '../../test-app.js';
import { authFixture } from '../../test-support.js';
import { kbRoutes } from './routes.js';
import { KbService } from './service.js';
import { KbStore } from './store.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'operator1', role: 'operator' },
  { username: 'supervisor1', role: 'supervisor' },
  { username: 'observer1', role: 'observer' },
];

interface Session {
  cookies: Record<string, string>;
  headers: Record<string, string>;
}

describe('/api/kb routes', () => {
  let app: App;
  const as: Record<string, Session> = {};

  beforeAll(async () => {
    const f = await authFixture();
    await createUsers(f, USERS, PASSWORD);
    const kb = new KbService({ store: new KbStore(f.db), now: f.clock.now });
    app = await buildTestApp(f, { routes: [kbRoutes(kb)] });
    const sessions = await signInAll(
      app,
      USERS.map((u) => u.username),
      PASSWORD,
    );
    for (const [username, session] of Object.entries(sessions)) {
      as[username] = { cookies: session.cookies, headers: { 'x-csrf-token': session.csrf } };
    }
  });
  afterAll(() => app.close());

  const call = (
    who: string | null,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      ...(who ? as[who] : {}),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  let categoryId: number;
  let articleId: number;

  it('lets an editor create a category and a published article', async () => {
    const cat = await call('supervisor1', 'POST', '/api/kb/categories', {
      parentId: null,
      nameKk: 'Төлем',
      nameRu: 'Оплата',
      nameEn: 'Payment',
    });
    expect(cat.statusCode).toBe(201);
    categoryId = (cat.json() as { id: number }).id;
    const res = await call('supervisor1', 'POST', '/api/kb/articles', {
      language: 'kk',
      title: 'Қызметтерге төлем және дербес шот',
      body: 'Дербес шот нөмірі түбіртекте көрсетілген. **Kaspi.kz** арқылы төлеуге болады.',
      categoryId,
      tags: ['төлем'],
      status: 'published',
    });
    expect(res.statusCode).toBe(201);
    const a = res.json() as { id: number; version: number; status: string; createdBy: string };
    expect(a).toMatchObject({ version: 1, status: 'published', createdBy: 'supervisor1' });
    articleId = a.id;
  });

  it('searches for an operator, folding Kazakh letters and highlighting', async () => {
    // "толем" is "төлем" typed on a Russian keyboard.
    const res = await call('operator1', 'GET', `/api/kb/search?q=${encodeURIComponent('толем')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ matched: 'all', items: [{ id: articleId }] });
    const hit = await call(
      'operator1',
      'GET',
      `/api/kb/search?q=${encodeURIComponent('дербес шотты')}&lang=kk&category=${categoryId}`,
    );
    const body = hit.json() as {
      items: Array<{ id: number; titleParts: Array<{ text: string; match: boolean }> }>;
    };
    expect(body.items.map((i) => i.id)).toEqual([articleId]);
    expect(body.items[0]!.titleParts.filter((p) => p.match).map((p) => p.text)).toEqual([
      'дербес',
      'шот',
    ]);
  });

  it('answers bad search input with a 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/kb/search?q=', /querystring\.q/],
      ['/api/kb/search', /q/],
      [`/api/kb/search?q=${'a'.repeat(201)}`, /querystring\.q/],
      ['/api/kb/search?q=abc&lang=en', /querystring\.lang/],
      ['/api/kb/search?q=abc&limit=500', /querystring\.limit/],
      ['/api/kb/search?q=%3F%21', /^q: /],
      ['/api/kb/search?q=abc&category=999', /^category: no category 999/],
    ];
    for (const [url, message] of cases) {
      const res = await call('operator1', 'GET', url);
      expect(res.statusCode, url).toBe(400);
      expect((res.json() as { message: string }).message, url).toMatch(message);
    }
  });

  it('refuses anonymous callers with 401 and roles without the permission with 403', async () => {
    expect((await call(null, 'GET', '/api/kb/search?q=abc')).statusCode).toBe(401);
    expect((await call('observer1', 'GET', '/api/kb/search?q=abc')).statusCode).toBe(403);
    expect((await call('observer1', 'GET', '/api/kb/categories')).statusCode).toBe(403);
    const write = await call('operator1', 'POST', '/api/kb/articles', {
      language: 'ru',
      title: 'x',
      body: 'y',
      categoryId: null,
    });
    expect(write.statusCode).toBe(403);
    expect(
      (
        await call('operator1', 'POST', `/api/kb/articles/${articleId}/status`, {
          status: 'archived',
        })
      ).statusCode,
    ).toBe(403);
    expect((await call('operator1', 'GET', '/api/kb/search?q=abc&status=draft')).statusCode).toBe(
      403,
    );
  });

  it('saves a version with baseVersion and answers a stale one with 409', async () => {
    const edit = {
      language: 'kk',
      title: 'Төлем және дербес шот нөмірі',
      body: 'Дербес шот — 10 таңбалы нөмір.',
      categoryId,
      tags: ['төлем', 'шот'],
      note: 'shorter',
    };
    const ok = await call('supervisor1', 'PUT', `/api/kb/articles/${articleId}`, {
      ...edit,
      baseVersion: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, tags: ['төлем', 'шот'] });
    const stale = await call('supervisor1', 'PUT', `/api/kb/articles/${articleId}`, {
      ...edit,
      baseVersion: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    const missing = await call('supervisor1', 'PUT', `/api/kb/articles/${articleId}`, edit);
    expect(missing.statusCode).toBe(400);
    expect((missing.json() as { message: string }).message).toMatch(/baseVersion/);
  });

  it('names the field of a bad article', async () => {
    const base = { language: 'ru', title: 'Оплата', body: 'Текст', categoryId: null };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ title: 'x'.repeat(201) }, /body\.title/],
      [{ language: 'en' }, /body\.language must be equal to one of the allowed values/],
      [{ categoryId: 999 }, /^categoryId: no category 999/],
      [{ surprise: 1 }, /additional/],
    ];
    for (const [over, message] of cases) {
      const res = await call('supervisor1', 'POST', '/api/kb/articles', { ...base, ...over });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { message: string }).message).toMatch(message);
    }
  });

  it('lists versions, restores one and archives the article away from operators', async () => {
    const versions = await call('operator1', 'GET', `/api/kb/articles/${articleId}/versions`);
    expect(
      (versions.json() as { items: Array<{ version: number }> }).items.map((v) => v.version),
    ).toEqual([2, 1]);
    const v1 = await call('operator1', 'GET', `/api/kb/articles/${articleId}/versions/1`);
    expect((v1.json() as { body: string }).body).toMatch(/Kaspi/);
    const restored = await call('supervisor1', 'POST', `/api/kb/articles/${articleId}/restore`, {
      version: 1,
    });
    expect(restored.json()).toMatchObject({
      version: 3,
      title: 'Қызметтерге төлем және дербес шот',
    });
    const archived = await call('supervisor1', 'POST', `/api/kb/articles/${articleId}/status`, {
      status: 'archived',
    });
    expect(archived.json()).toMatchObject({ status: 'archived' });
    expect((await call('operator1', 'GET', `/api/kb/articles/${articleId}`)).statusCode).toBe(404);
    expect((await call('supervisor1', 'GET', `/api/kb/articles/${articleId}`)).statusCode).toBe(
      200,
    );
    const list = await call('operator1', 'GET', '/api/kb/articles');
    expect(list.json()).toMatchObject({ items: [], total: 0 });
  });
});

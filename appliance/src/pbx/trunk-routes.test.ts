import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../http/app.js';
import { buildTestApp, createUsers, signInAll, type TestSession } from '../test-app.js';
import { authFixture, type AuthFixture } from '../test-support.js';
import { PbxStore } from './store.js';
import { trunkRoutes } from './trunk-routes.js';

const PASSWORD = 'kcc-test-pass-1';

describe('transfer directory and outbound caller IDs', () => {
  let f: AuthFixture;
  let app: App;
  let s: Record<string, TestSession>;
  let syncs = 0;

  beforeAll(async () => {
    f = await authFixture();
    await createUsers(
      f,
      [
        { username: 'op1', role: 'operator' },
        { username: 'admin1', role: 'administrator' },
      ],
      PASSWORD,
    );
    app = await buildTestApp(f, {
      routes: [trunkRoutes(f.db, new PbxStore(f.db), async () => void (syncs += 1))],
    });
    s = await signInAll(app, ['op1', 'admin1'], PASSWORD);
  });
  afterAll(() => app.close());

  const as = (
    user: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) =>
    app.inject({
      method,
      url,
      cookies: s[user]!.cookies,
      headers: { 'x-csrf-token': s[user]!.csrf },
      ...(payload ? { payload } : {}),
    });

  it('keeps office staff the operators can transfer to; only the administrator changes it', async () => {
    const added = await as('admin1', 'POST', '/api/office-contacts', {
      name: 'Chief engineer',
      department: 'Technical department',
      number: '+77272581530',
    });
    expect(added.statusCode).toBe(201);
    const list = (await as('op1', 'GET', '/api/office-contacts')).json() as {
      items: Array<{ name: string; number: string }>;
    };
    expect(list.items.map((c) => c.name)).toContain('Chief engineer');
    expect(
      (await as('op1', 'POST', '/api/office-contacts', { name: 'x', number: '123' })).statusCode,
    ).toBe(403);
    const bad = await as('admin1', 'POST', '/api/office-contacts', {
      name: 'x',
      number: 'call me',
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { message: string }).message).toContain('number');
    const id = (added.json() as { id: number }).id;
    expect((await as('admin1', 'DELETE', `/api/office-contacts/${id}`)).statusCode).toBe(204);
    expect((await as('admin1', 'DELETE', `/api/office-contacts/${id}`)).statusCode).toBe(404);
  });

  it('sets the caller ID a service presents on calls out, and re-renders the PBX', async () => {
    const before = syncs;
    const res = await as('admin1', 'PUT', '/api/services/193/outbound-caller-id', {
      callerId: '77172000193',
    });
    expect(res.json()).toEqual({ number: '193', callerId: '77172000193' });
    expect(syncs).toBe(before + 1);
    expect(await new PbxStore(f.db).outboundCallerIds()).toMatchObject({ '193': '77172000193' });
    const reset = await as('admin1', 'PUT', '/api/services/193/outbound-caller-id', {
      callerId: null,
    });
    expect(reset.json()).toEqual({ number: '193', callerId: '193' });
    const unknown = await as('admin1', 'PUT', '/api/services/555/outbound-caller-id', {
      callerId: '77172000193',
    });
    expect(unknown.statusCode).toBe(404);
    const letters = await as('admin1', 'PUT', '/api/services/193/outbound-caller-id', {
      callerId: 'KAZTELERADIO',
    });
    expect(letters.statusCode).toBe(400);
    expect((letters.json() as { message: string }).message).toContain('callerId');
  });
});

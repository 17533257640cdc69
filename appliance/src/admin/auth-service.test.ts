import { beforeEach, describe, expect, it } from 'vitest';
import { auditActions, authFixture, type AuthFixture } from '../test-support.js';
import { AppError } from './errors.js';

const CLIENT = { ip: '10.0.0.7', userAgent: 'Mozilla/5.0' };
const PASSWORD = 'correct horse 42';

async function loginError(f: AuthFixture, username: string, password: string): Promise<AppError> {
  const err = await f.auth.login(username, password, CLIENT).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function userRow(f: AuthFixture, username: string) {
  return f.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
}

async function sessionCount(f: AuthFixture): Promise<number> {
  const r = await f.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('bootstrapAdmin', () => {
  it('creates one administrator with a generated password, shown once, and does nothing the second time', async () => {
    const f = await authFixture();
    const first = await f.auth.bootstrapAdmin('');
    expect(first.created).toBe(true);
    expect(first.generated).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const second = await f.auth.bootstrapAdmin('');
    expect(second).toEqual({ created: false, generated: null });

    const users = await f.db.selectFrom('users').selectAll().execute();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      username: 'admin',
      role: 'administrator',
      enabled: 1,
      sip_secret: null,
    });
    expect(users[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(users[0]!.password_hash).not.toContain(first.generated!);

    const { session } = await f.auth.login('admin', first.generated!, CLIENT);
    expect(session.user.role).toBe('administrator');
    expect(await auditActions(f.db)).toEqual(['user.created', 'auth.login']);
  });

  it('uses the given password and returns none', async () => {
    const f = await authFixture();
    expect(await f.auth.bootstrapAdmin('given-admin-pass')).toEqual({
      created: true,
      generated: null,
    });
    await expect(f.auth.login('admin', 'given-admin-pass', CLIENT)).resolves.toBeDefined();
  });

  it('does nothing when other users exist', async () => {
    const f = await authFixture();
    await f.auth.createUser({
      username: 'op',
      displayName: 'Op',
      password: PASSWORD,
      role: 'operator',
      language: 'kk',
    });
    expect(await f.auth.bootstrapAdmin('')).toEqual({ created: false, generated: null });
    expect(await f.users.byUsername('admin')).toBeUndefined();
  });
});

describe('login, sessions and lock-out', () => {
  let f: AuthFixture;

  beforeEach(async () => {
    f = await authFixture({ maxFailedLogins: 3, lockoutMinutes: 15, sessionTtlHours: 12 });
    await f.auth.createUser({
      username: 'operator1',
      displayName: 'Әсел Нұрланқызы',
      password: PASSWORD,
      role: 'operator',
      language: 'kk',
    });
  });

  it('a successful login returns a session its token resolves to', async () => {
    const { token, session, expiresAt } = await f.auth.login('operator1', PASSWORD, CLIENT);
    expect(session.user).toMatchObject({
      username: 'operator1',
      displayName: 'Әсел Нұрланқызы',
      role: 'operator',
      language: 'kk',
    });
    expect(session.user.permissions).toContain('calls:read');
    expect(session.user.permissions).not.toContain('users:manage');
    expect(expiresAt.toISOString()).toBe('2025-11-26T00:00:00.000Z');

    const resolved = await f.auth.resolve(token);
    expect(resolved).toEqual(session);
    // The database keeps the token's hash, never the token.
    const rows = await f.db.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toBe(token);
    expect(rows[0]).toMatchObject({ ip: '10.0.0.7', user_agent: 'Mozilla/5.0' });

    expect(await f.auth.resolve('not-a-token')).toBeNull();
    expect(await f.auth.resolve(undefined)).toBeNull();
    expect(await f.auth.resolve('')).toBeNull();
  });

  it('a wrong password is refused and counted', async () => {
    const err = await loginError(f, 'operator1', 'wrong');
    expect(err).toMatchObject({ statusCode: 401, code: 'invalid_credentials' });
    expect((await userRow(f, 'operator1')).failed_logins).toBe(1);
    await loginError(f, 'operator1', 'wrong again');
    expect((await userRow(f, 'operator1')).failed_logins).toBe(2);
    expect(await sessionCount(f)).toBe(0);
  });

  it('a successful login clears the failure count', async () => {
    await loginError(f, 'operator1', 'wrong');
    await loginError(f, 'operator1', 'wrong');
    await f.auth.login('operator1', PASSWORD, CLIENT);
    expect((await userRow(f, 'operator1')).failed_logins).toBe(0);
    // So the next mistakes start from zero and do not lock.
    await loginError(f, 'operator1', 'wrong');
    await loginError(f, 'operator1', 'wrong');
    expect((await userRow(f, 'operator1')).locked_until).toBeNull();
  });

  it('locks the account after maxFailedLogins failures, even against the right password, until lockoutMinutes pass', async () => {
    await loginError(f, 'operator1', 'wrong-1');
    await loginError(f, 'operator1', 'wrong-2');
    const third = await loginError(f, 'operator1', 'wrong-3');
    expect(third).toMatchObject({
      statusCode: 429,
      code: 'locked',
      details: { retryAfterSeconds: 900, lockedUntil: '2025-11-25T12:15:00.000Z' },
    });

    const right = await loginError(f, 'operator1', PASSWORD);
    expect(right).toMatchObject({
      statusCode: 429,
      code: 'locked',
      details: { retryAfterSeconds: 900 },
    });

    f.clock.advance(15 * 60_000 - 1000);
    const stillLocked = await loginError(f, 'operator1', PASSWORD);
    expect(stillLocked).toMatchObject({ code: 'locked', details: { retryAfterSeconds: 1 } });
    expect(await sessionCount(f)).toBe(0);

    f.clock.advance(1000);
    const { token } = await f.auth.login('operator1', PASSWORD, CLIENT);
    expect(await f.auth.resolve(token)).not.toBeNull();
    const row = await userRow(f, 'operator1');
    expect(row.failed_logins).toBe(0);
    expect(row.locked_until).toBeNull();
  });

  it('counts failed attempts made at the same time, so parallel guessing still locks the account', async () => {
    const attempts = await Promise.allSettled(
      ['guess-1', 'guess-2', 'guess-3'].map((p) => f.auth.login('operator1', p, CLIENT)),
    );
    expect(attempts.every((a) => a.status === 'rejected')).toBe(true);

    const err = await loginError(f, 'operator1', PASSWORD);
    expect(err.code).toBe('locked');
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const unknown = await loginError(f, 'nobody', PASSWORD);
    const wrong = await loginError(f, 'operator1', 'wrong');
    expect({ status: unknown.statusCode, code: unknown.code, message: unknown.message }).toEqual({
      status: wrong.statusCode,
      code: wrong.code,
      message: wrong.message,
    });
    expect(unknown.code).toBe('invalid_credentials');
  });

  it("refuses a disabled user and drops that user's sessions", async () => {
    const { token } = await f.auth.login('operator1', PASSWORD, CLIENT);
    await f.db
      .updateTable('users')
      .set({ enabled: 0 })
      .where('username', '=', 'operator1')
      .execute();
    expect(await f.auth.resolve(token)).toBeNull();
    expect((await loginError(f, 'operator1', PASSWORD)).code).toBe('invalid_credentials');
  });

  it('a session expires after sessionTtlHours', async () => {
    const { token } = await f.auth.login('operator1', PASSWORD, CLIENT);
    f.clock.advance(12 * 3_600_000 - 1);
    expect(await f.auth.resolve(token)).not.toBeNull();
    f.clock.advance(1);
    expect(await f.auth.resolve(token)).toBeNull();
  });

  it('records when a session was last used, at most once a minute', async () => {
    const { token, session } = await f.auth.login('operator1', PASSWORD, CLIENT);
    const lastSeen = async () =>
      (
        await f.db
          .selectFrom('sessions')
          .select('last_seen_at')
          .where('token_hash', '=', session.tokenHash)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    f.clock.advance(30_000);
    await f.auth.resolve(token);
    expect(await lastSeen()).toBe('2025-11-25T12:00:00.000Z');
    f.clock.advance(31_000);
    await f.auth.resolve(token);
    expect(await lastSeen()).toBe('2025-11-25T12:01:01.000Z');
  });

  it('logout removes the session', async () => {
    const first = await f.auth.login('operator1', PASSWORD, CLIENT);
    const second = await f.auth.login('operator1', PASSWORD, CLIENT);
    await f.auth.logout(first.session, CLIENT);
    expect(await f.auth.resolve(first.token)).toBeNull();
    // Other sessions of the same user stay signed in.
    expect(await f.auth.resolve(second.token)).not.toBeNull();
    expect(await sessionCount(f)).toBe(1);
  });

  it('writes the audit trail of sign-ins, failures, lock-outs and sign-outs', async () => {
    const { session } = await f.auth.login('operator1', PASSWORD, CLIENT);
    await f.auth.logout(session, CLIENT);
    await loginError(f, 'operator1', 'wrong');
    await loginError(f, 'operator1', 'wrong');
    await loginError(f, 'operator1', 'wrong');
    await loginError(f, 'ghost', 'x');

    const rows = await f.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.action, r.username, r.user_id !== null, r.ip])).toEqual([
      ['auth.login', 'operator1', true, '10.0.0.7'],
      ['auth.logout', 'operator1', true, '10.0.0.7'],
      ['auth.login_failed', 'operator1', true, '10.0.0.7'],
      ['auth.login_failed', 'operator1', true, '10.0.0.7'],
      ['auth.locked', 'operator1', true, '10.0.0.7'],
      ['auth.login_failed', 'ghost', false, '10.0.0.7'],
    ]);
    expect(JSON.parse(rows[4]!.details!)).toEqual({ failures: 3 });
    expect(JSON.parse(rows[5]!.details!)).toEqual({ reason: 'unknown_user' });
    // Passwords never reach the audit trail.
    expect(JSON.stringify(rows)).not.toContain('wrong');
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });
});

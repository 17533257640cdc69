/** Every query on users and sessions. */
import type { Db } from '../db/database.js';
import type { NewUser, SessionsTable, UserRow } from '../db/schema.js';

export class UserStore {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }

  byUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(user: NewUser): Promise<number> {
    const r = await this.db
      .insertInto('users')
      .values(user)
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  /**
   * Counts one failed sign-in in a single statement and returns the new count, so attempts
   * checked at the same time cannot overwrite each other's count.
   */
  async incrementFailures(id: number, at: string): Promise<number> {
    const r = await this.db
      .updateTable('users')
      .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: at }))
      .where('id', '=', id)
      .returning('failed_logins')
      .executeTakeFirstOrThrow();
    return r.failed_logins;
  }

  async recordFailure(id: number, failedLogins: number, lockedUntil: string | null, at: string) {
    await this.db
      .updateTable('users')
      .set({ failed_logins: failedLogins, locked_until: lockedUntil, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async clearFailures(id: number, at: string) {
    await this.db
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  /** Users with a softphone and a SIP secret, for the PBX configuration. */
  softphoneUsers(): Promise<
    Array<
      Pick<
        UserRow,
        'username' | 'display_name' | 'sip_secret' | 'role' | 'languages' | 'phone_type'
      >
    >
  > {
    return this.db
      .selectFrom('users')
      .select(['username', 'display_name', 'sip_secret', 'role', 'languages', 'phone_type'])
      .where('enabled', '=', 1)
      .where('sip_secret', 'is not', null)
      .orderBy('username')
      .execute();
  }

  async insertSession(s: SessionsTable): Promise<void> {
    await this.db.insertInto('sessions').values(s).execute();
  }

  sessionByHash(hash: string) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.token_hash',
        'sessions.csrf_token',
        'sessions.expires_at',
        'sessions.last_seen_at',
        'users.id as user_id',
        'users.username',
        'users.display_name',
        'users.role',
        'users.language',
        'users.enabled',
      ])
      .where('sessions.token_hash', '=', hash)
      .executeTakeFirst();
  }

  async touchSession(hash: string, at: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: at })
      .where('token_hash', '=', hash)
      .execute();
  }

  async deleteSession(hash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', hash).execute();
  }

  /** Enabled users holding a console session that has not expired at `now`. */
  async signedInUserIds(now: string): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('users.id')
      .distinct()
      .where('sessions.expires_at', '>', now)
      .where('users.enabled', '=', 1)
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Ends every session of a user; the token hashes of those ended. */
  async deleteSessionsOf(userId: number): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .returning('token_hash')
      .execute();
    return rows.map((r) => r.token_hash);
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  }
}

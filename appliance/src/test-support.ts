/**
 * Shared fixtures for unit tests: a migrated in-memory database, a clock the test moves by hand,
 * the auth stack on that database and a silent logger.
 */
import { pino, type Logger } from 'pino';
import { AuditStore } from './admin/audit-store.js';
import { AuthService, type AuthSettings } from './admin/auth-service.js';
import { nodeCrypto } from './admin/crypto.js';
import { UserStore } from './admin/users-store.js';
import { migrateToLatest, openDatabase, type Db } from './db/database.js';

export const SERVICES = ['193', '88000800193', '77272581500'] as const;

/** A clock that stands still until the test moves it. */
export class TestClock {
  private t: number;

  constructor(start: string | Date = '2025-11-25T12:00:00.000Z') {
    this.t = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.t);

  advance(ms: number): void {
    this.t += ms;
  }

  set(at: string | Date): void {
    this.t = new Date(at).getTime();
  }
}

export async function memoryDb(): Promise<Db> {
  const { db } = openDatabase(':memory:');
  await migrateToLatest(db);
  return db;
}

export const silentLogger: Logger = pino({ level: 'silent' });

export const AUTH_SETTINGS: AuthSettings = {
  sessionTtlHours: 12,
  maxFailedLogins: 5,
  lockoutMinutes: 15,
};

export interface AuthFixture {
  db: Db;
  clock: TestClock;
  users: UserStore;
  audit: AuditStore;
  auth: AuthService;
}

export async function authFixture(
  settings: Partial<AuthSettings> = {},
  db?: Db,
  clock = new TestClock(),
): Promise<AuthFixture> {
  const database = db ?? (await memoryDb());
  const users = new UserStore(database);
  const audit = new AuditStore(database, clock.now);
  const auth = new AuthService(
    users,
    audit,
    nodeCrypto,
    { ...AUTH_SETTINGS, ...settings },
    clock.now,
  );
  return { db: database, clock, users, audit, auth };
}

/** Every audit row's action, oldest first. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').orderBy('id').execute();
  return rows.map((r) => r.action);
}

/**
 * Opens the SQLite database (WAL mode) and runs the versioned migrations. Migrations are plain
 * modules listed here, not discovered on disk, so the built controller and the tests run the same
 * set in the same order.
 */
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
} from 'kysely';
import type { Database } from './schema.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-inbound-path.js';
import * as m0003 from './migrations/0003-service-desk.js';
import * as m0004 from './migrations/0004-knowledge-base.js';
import * as m0005 from './migrations/0005-agent-status.js';
import * as m0006 from './migrations/0006-internal-chat.js';
import * as m0007 from './migrations/0007-dispositions.js';
import * as m0008 from './migrations/0008-outbound-calls.js';
import * as m0009 from './migrations/0009-office-directory.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-inbound-path': m0002,
  '0003-service-desk': m0003,
  '0004-knowledge-base': m0004,
  '0005-agent-status': m0005,
  '0006-internal-chat': m0006,
  '0007-dispositions': m0007,
  '0008-outbound-calls': m0008,
  '0009-office-directory': m0009,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export type Db = Kysely<Database>;

/** The better-sqlite3 handle under each database opened here (see `sqliteOf`). */
const handles = new WeakMap<Db, SQLite.Database>();

/**
 * Statements compiled once per SQL text. Kysely asks the driver to prepare every query it runs,
 * and SQLite's compile step costs more than running a small insert: on the call path that was
 * the largest single item of the controller's CPU. The queries are few and their text is fixed
 * (values are parameters), so the cache stays small; it is bounded all the same.
 */
const STATEMENT_CACHE_SIZE = 500;

function cachingDatabase(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      let stmt = cache.get(sql);
      if (stmt) return stmt;
      stmt = sqlite.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

export interface OpenedDatabase {
  db: Db;
  sqlite: SQLite.Database;
}

/** Opens (creating if needed) the database file; `:memory:` for unit tests. */
export function openDatabase(file: string): OpenedDatabase {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's lower() folds ASCII only; names are Kazakh and Russian.
  sqlite.function('ulower', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toLowerCase() : v,
  );
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingDatabase(sqlite) }),
  });
  handles.set(db, sqlite);
  return { db, sqlite };
}

/**
 * The better-sqlite3 handle of a database from `openDatabase`, for the few hot paths that run
 * their own prepared statements. Writes through it must hold Kysely's connection (run them inside
 * `db.connection().execute(...)`): the database has one connection, and a Kysely transaction
 * elsewhere may be open on it.
 */
export function sqliteOf(db: Db): SQLite.Database {
  const sqlite = handles.get(db);
  if (!sqlite) throw new Error('the database was not opened with openDatabase');
  return sqlite;
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A cheap query used by health: proves the file is readable and not locked. */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.selectFrom('settings').select('key').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}

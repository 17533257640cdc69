/** The audit trail of sensitive actions (SEC-18): append-only. */
import type { Db } from '../db/database.js';

export interface AuditEntry {
  userId: number | null;
  username: string | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export class AuditStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: this.now().toISOString(),
        user_id: e.userId,
        username: e.username,
        action: e.action,
        target: e.target ?? null,
        details: e.details ? JSON.stringify(e.details) : null,
        ip: e.ip ?? null,
      })
      .execute();
  }

  async list(limit: number) {
    return this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }
}

/** Every query on operator statuses, the status log, pause reasons and the after-call-work setting. */
import { hasSoftphone } from '../admin/roles.js';
import type { Db } from '../db/database.js';
import type { Role } from '../db/schema.js';
import type { AgentStatus, PublicStatus } from './status.js';

export const ACW_SETTING = 'agents.acw_seconds';
export const DEFAULT_ACW_SECONDS = 15;

export interface Agent {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
}

export interface PauseReason {
  id: string;
  names: { kk: string; ru: string; en: string };
  active: boolean;
  sort: number;
  system: boolean;
}

export interface LogEntry {
  id: number;
  userId: number;
  username: string;
  status: string;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  setBy: string | null;
}

export interface LogRow {
  userId: number;
  status: PublicStatus;
  reason: string | null;
  at: string;
  setBy: string | null;
}

export class AgentStore {
  constructor(private readonly db: Db) {}

  /** Enabled users with a phone endpoint: the people who have a status. */
  async agents(): Promise<Agent[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'role'])
      .where('enabled', '=', 1)
      .where('sip_secret', 'is not', null)
      .orderBy('display_name')
      .execute();
    return rows
      .filter((r) => hasSoftphone(r.role))
      .map((r) => ({
        userId: r.id,
        username: r.username,
        displayName: r.display_name,
        role: r.role,
      }));
  }

  async statuses(): Promise<Map<number, AgentStatus>> {
    const rows = await this.db.selectFrom('agent_status').selectAll().execute();
    return new Map(
      rows.map((r) => [
        r.user_id,
        {
          state: r.state,
          reason: r.reason,
          since: r.since,
          acwUntil: r.acw_until,
          unreachable: r.unreachable === 1,
          unreachableSince: r.unreachable_since,
        },
      ]),
    );
  }

  /**
   * Saves the current status and, when `log` is given, closes the operator's open log row and
   * opens the next one, all in one transaction.
   */
  async save(userId: number, s: AgentStatus, at: string, log: LogRow | null): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = {
        state: s.state,
        reason: s.reason,
        since: s.since,
        acw_until: s.acwUntil,
        unreachable: s.unreachable ? 1 : 0,
        unreachable_since: s.unreachableSince,
        updated_at: at,
      };
      await tx
        .insertInto('agent_status')
        .values({ user_id: userId, ...row })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
        .execute();
      if (!log) return;
      await tx
        .updateTable('agent_status_log')
        .set({ ended_at: log.at })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .execute();
      await tx
        .insertInto('agent_status_log')
        .values({
          user_id: userId,
          status: log.status,
          reason: log.reason,
          started_at: log.at,
          ended_at: null,
          set_by: log.setBy,
        })
        .execute();
    });
  }

  /** Log rows that overlap [from, to), oldest first, optionally for one user. */
  async log(q: { from: string; to: string; userId?: number; limit: number }): Promise<LogEntry[]> {
    let query = this.db
      .selectFrom('agent_status_log as l')
      .innerJoin('users as u', 'u.id', 'l.user_id')
      .select([
        'l.id',
        'l.user_id',
        'u.username',
        'l.status',
        'l.reason',
        'l.started_at',
        'l.ended_at',
        'l.set_by',
      ])
      .where('l.started_at', '<', q.to)
      .where((eb) => eb.or([eb('l.ended_at', 'is', null), eb('l.ended_at', '>', q.from)]));
    if (q.userId !== undefined) query = query.where('l.user_id', '=', q.userId);
    const rows = await query.orderBy('l.started_at').orderBy('l.id').limit(q.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      username: r.username,
      status: r.status,
      reason: r.reason,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      setBy: r.set_by,
    }));
  }

  async userIdByName(username: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.id;
  }

  async reasons(): Promise<PauseReason[]> {
    const rows = await this.db
      .selectFrom('pause_reasons')
      .selectAll()
      .orderBy('sort')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      names: { kk: r.name_kk, ru: r.name_ru, en: r.name_en },
      active: r.active === 1,
      sort: r.sort,
      system: r.system === 1,
    }));
  }

  async reason(id: string): Promise<PauseReason | undefined> {
    return (await this.reasons()).find((r) => r.id === id);
  }

  async insertReason(r: Omit<PauseReason, 'system'>): Promise<void> {
    await this.db
      .insertInto('pause_reasons')
      .values({
        id: r.id,
        name_kk: r.names.kk,
        name_ru: r.names.ru,
        name_en: r.names.en,
        active: r.active ? 1 : 0,
        sort: r.sort,
        system: 0,
      })
      .execute();
  }

  async updateReason(
    id: string,
    r: Partial<Pick<PauseReason, 'names' | 'active' | 'sort'>>,
  ): Promise<void> {
    await this.db
      .updateTable('pause_reasons')
      .set({
        ...(r.names ? { name_kk: r.names.kk, name_ru: r.names.ru, name_en: r.names.en } : {}),
        ...(r.active !== undefined ? { active: r.active ? 1 : 0 } : {}),
        ...(r.sort !== undefined ? { sort: r.sort } : {}),
      })
      .where('id', '=', id)
      .where('system', '=', 0)
      .execute();
  }

  async acwSeconds(): Promise<number> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', ACW_SETTING)
      .executeTakeFirst();
    const n = Number(row?.value);
    return row && Number.isInteger(n) && n >= 0 ? n : DEFAULT_ACW_SECONDS;
  }

  async setAcwSeconds(seconds: number, at: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key: ACW_SETTING, value: String(seconds), updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(seconds), updated_at: at }))
      .execute();
  }
}

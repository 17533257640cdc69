/**
 * The staffing alerts' journal: each alert raised or cleared is a row of the audit log
 * (`staffing.alert_raised` / `staffing.alert_cleared`, target = the alert id), so the supervisor
 * sees when it happened and the controller knows after a restart what was already raised.
 */
import type { AuditStore } from '../admin/audit-store.js';
import type { Db } from '../db/database.js';
import type { PbxStore } from '../pbx/store.js';
import {
  ALERT_IDS,
  DEFAULT_STAFFING,
  type StaffingAlert,
  type StaffingAlertId,
  type StaffingPolicy,
} from './staffing.js';

export const RAISED = 'staffing.alert_raised';
export const CLEARED = 'staffing.alert_cleared';

export interface StaffingEvent {
  at: string;
  id: StaffingAlertId;
  change: 'raised' | 'cleared';
  /** Operators signed in and the minimum, for `operators_below_minimum`; null otherwise. */
  count: number | null;
  minimum: number | null;
}

const POLICY_KEY = 'staffing.policy';

/** The staffing minimums, kept in the settings table. */
export class StaffingSettings {
  constructor(
    private readonly settings: Pick<PbxStore, 'getSetting' | 'setSetting'>,
    private readonly now: () => Date,
  ) {}

  async load(): Promise<StaffingPolicy> {
    const raw = await this.settings.getSetting(POLICY_KEY);
    return raw
      ? { ...DEFAULT_STAFFING, ...(JSON.parse(raw) as Partial<StaffingPolicy>) }
      : DEFAULT_STAFFING;
  }

  async save(policy: StaffingPolicy): Promise<void> {
    await this.settings.setSetting(POLICY_KEY, JSON.stringify(policy), this.now().toISOString());
  }
}

export class StaffingJournal {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditStore,
  ) {}

  async record(change: 'raised' | 'cleared', alert: StaffingAlert): Promise<void> {
    await this.audit.record({
      userId: null,
      username: 'system',
      action: change === 'raised' ? RAISED : CLEARED,
      target: alert.id,
      details:
        alert.id === 'operators_below_minimum'
          ? { count: alert.count, minimum: alert.minimum }
          : null,
    });
  }

  /** Alerts raised and not cleared since: what was active when the controller last ran. */
  async active(): Promise<Array<{ alert: StaffingAlert; since: string }>> {
    const out: Array<{ alert: StaffingAlert; since: string }> = [];
    for (const id of ALERT_IDS) {
      const row = await this.db
        .selectFrom('audit_log')
        .select(['at', 'action', 'details'])
        .where('action', 'in', [RAISED, CLEARED])
        .where('target', '=', id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row?.action !== RAISED) continue;
      const e = toEvent({ ...row, target: id });
      out.push({ alert: toAlert(e), since: e.at });
    }
    return out;
  }

  /** The latest raised and cleared rows, newest first. */
  async history(limit: number): Promise<StaffingEvent[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['at', 'action', 'target', 'details'])
      .where('action', 'in', [RAISED, CLEARED])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows
      .filter((r) => (ALERT_IDS as readonly (string | null)[]).includes(r.target))
      .map(toEvent);
  }
}

function toEvent(r: {
  at: string;
  action: string;
  target: string | null;
  details: string | null;
}): StaffingEvent {
  const d = r.details ? (JSON.parse(r.details) as { count?: number; minimum?: number }) : {};
  return {
    at: r.at,
    id: r.target as StaffingAlertId,
    change: r.action === RAISED ? 'raised' : 'cleared',
    count: d.count ?? null,
    minimum: d.minimum ?? null,
  };
}

function toAlert(e: StaffingEvent): StaffingAlert {
  if (e.id === 'operators_below_minimum') {
    return { id: e.id, count: e.count ?? 0, minimum: e.minimum ?? 0 };
  }
  return { id: e.id };
}

/**
 * The editable calendar (SVC-4): working hours in settings, overrides (Kurban Ait, government
 * transfers) in their table, the fixed holidays from the law. Every change is validated, then
 * the hours routine is re-rendered into the dialplan.
 */
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';
import {
  DEFAULT_HOURS,
  KAZAKHSTAN_FIXED_HOLIDAYS,
  KURBAN_AIT,
  validateCalendar,
  type CalendarOverride,
  type CalendarRules,
  type WorkingHours,
} from './calendar.js';
import type { PbxStore } from './store.js';

const HOURS_KEY = 'calendar.hours';

export class CalendarService {
  constructor(
    private readonly db: Db,
    private readonly settings: PbxStore,
    private readonly syncPbx: () => Promise<void>,
    private readonly now: () => Date,
  ) {}

  async hours(): Promise<WorkingHours> {
    const raw = await this.settings.getSetting(HOURS_KEY);
    return raw ? (JSON.parse(raw) as WorkingHours) : DEFAULT_HOURS;
  }

  async rules(): Promise<CalendarRules> {
    const rows = await this.db
      .selectFrom('calendar_overrides')
      .selectAll()
      .orderBy('date')
      .execute();
    return {
      fixed: KAZAKHSTAN_FIXED_HOLIDAYS,
      overrides: rows.map((r) => ({
        date: r.date,
        kind: r.kind,
        name: r.name,
        ...(r.kind === 'off' && r.religious ? { religious: true } : {}),
      })),
    };
  }

  /** First start: Kurban Ait of the years the law office has announced. */
  async ensureDefaults(): Promise<void> {
    const any = await this.db
      .selectFrom('calendar_overrides')
      .select('date')
      .limit(1)
      .executeTakeFirst();
    if (any) return;
    for (const o of KURBAN_AIT) await this.insert(o);
  }

  async setHours(hours: WorkingHours): Promise<void> {
    const problems = validateCalendar(await this.rules(), hours);
    if (problems.length) throw new AppError(400, 'validation', problems[0]!, { problems });
    await this.settings.setSetting(HOURS_KEY, JSON.stringify(hours), this.now().toISOString());
    await this.syncPbx();
  }

  async putOverride(o: CalendarOverride): Promise<void> {
    const rules = await this.rules();
    const next = { ...rules, overrides: [...rules.overrides.filter((x) => x.date !== o.date), o] };
    const problems = validateCalendar(next, await this.hours());
    if (problems.length) throw new AppError(400, 'validation', problems[0]!, { problems });
    await this.db.deleteFrom('calendar_overrides').where('date', '=', o.date).execute();
    await this.insert(o);
    await this.syncPbx();
  }

  async deleteOverride(date: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('calendar_overrides')
      .where('date', '=', date)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) await this.syncPbx();
    return Number(r.numDeletedRows) > 0;
  }

  private async insert(o: CalendarOverride): Promise<void> {
    await this.db
      .insertInto('calendar_overrides')
      .values({ date: o.date, kind: o.kind, name: o.name, religious: o.religious ? 1 : 0 })
      .execute();
  }
}

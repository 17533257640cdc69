/**
 * Working hours and the holiday calendar (SVC-4). The center works 09:00–21:00 on working days
 * and 10:00–19:00 on weekends and public holidays, in Asia/Almaty. Which days are holidays
 * follows the Labour Code of Kazakhstan:
 *  - a public holiday on a Saturday or Sunday moves the day off to the next working day, except
 *    the religious holidays (Orthodox Christmas, Kurban Ait), which are not moved;
 *  - when several holidays fall on a weekend in a row, each moved day off takes the next working
 *    day that is not already off;
 *  - the government may transfer days: a weekday declared a day off, a weekend day declared a
 *    working day. Transfers and the movable Kurban Ait are entered per year as overrides.
 *
 * Everything here is pure and deterministic: the same rules give the same days in the same order
 * whatever order they were entered in, and the rendered dialplan is byte-identical.
 */
import { CENTER_TIME_ZONE, zoneOffsetMinutes } from '../time.js';

export interface FixedHoliday {
  month: number;
  day: number;
  name: string;
  /** Religious holidays are not moved when they fall on a weekend. */
  religious: boolean;
}

/**
 * A day entered for one year. `kind: 'off'` with `religious` set is a public holiday (Kurban Ait
 * is `religious: true`); without it, it is a transfer of a weekday to a day off. `kind: 'work'` is
 * a Saturday or Sunday declared a working day.
 */
export interface CalendarOverride {
  /** YYYY-MM-DD */
  date: string;
  kind: 'off' | 'work';
  name: string;
  religious?: boolean;
}

export interface CalendarRules {
  fixed: FixedHoliday[];
  overrides: CalendarOverride[];
}

export const KAZAKHSTAN_FIXED_HOLIDAYS: FixedHoliday[] = [
  { month: 1, day: 1, name: 'New Year', religious: false },
  { month: 1, day: 2, name: 'New Year', religious: false },
  { month: 1, day: 7, name: 'Orthodox Christmas', religious: true },
  { month: 3, day: 8, name: "International Women's Day", religious: false },
  { month: 3, day: 21, name: 'Nauryz', religious: false },
  { month: 3, day: 22, name: 'Nauryz', religious: false },
  { month: 3, day: 23, name: 'Nauryz', religious: false },
  { month: 5, day: 1, name: 'Unity Day', religious: false },
  { month: 5, day: 7, name: 'Defender of the Fatherland Day', religious: false },
  { month: 5, day: 9, name: 'Victory Day', religious: false },
  { month: 7, day: 6, name: 'Capital Day', religious: false },
  { month: 8, day: 30, name: 'Constitution Day', religious: false },
  { month: 10, day: 25, name: 'Republic Day', religious: false },
  { month: 12, day: 16, name: 'Independence Day', religious: false },
];

/** First day of Kurban Ait: set each year by the lunar calendar, so it is data, not a rule. */
export const KURBAN_AIT: CalendarOverride[] = [
  { date: '2025-06-06', kind: 'off', name: 'Kurban Ait', religious: true },
  { date: '2026-05-27', kind: 'off', name: 'Kurban Ait', religious: true },
  { date: '2027-05-16', kind: 'off', name: 'Kurban Ait', religious: true },
];

/** The calendar a new installation starts with. */
export const DEFAULT_RULES: CalendarRules = {
  fixed: KAZAKHSTAN_FIXED_HOLIDAYS,
  overrides: KURBAN_AIT,
};

export type DayKind = 'workday' | 'weekend' | 'holiday';

export interface CalendarDay {
  date: string;
  kind: DayKind;
  name: string | null;
  /**
   * Why the day is not an ordinary weekday: `holiday` (a public holiday, also on a weekend),
   * `moved` (the day off of a holiday that fell on a weekend), `transfer` (a government transfer,
   * either way), `weekend`, or null for an ordinary Monday–Friday.
   */
  reason: 'weekend' | 'holiday' | 'moved' | 'transfer' | null;
}

/** "HH:MM", 24h; `close` is exclusive; `open === close` means closed all day. */
export interface WorkingHours {
  workday: { open: string; close: string };
  dayOff: { open: string; close: string };
}

export const DEFAULT_HOURS: WorkingHours = {
  workday: { open: '09:00', close: '21:00' },
  dayOff: { open: '10:00', close: '19:00' },
};

const DAY_MS = 86_400_000;
const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

/** Days since 1970-01-01 of a calendar date, or null when the date does not exist. */
function dayNumber(year: number, month: number, day: number): number | null {
  if (![year, month, day].every(Number.isInteger)) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return d.getTime() / DAY_MS;
}

function parseDate(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function formatDate(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(n: number): number {
  return new Date(n * DAY_MS).getUTCDay();
}

function isWeekend(n: number): boolean {
  const w = weekday(n);
  return w === 0 || w === 6;
}

/** Minutes since midnight of "HH:MM"; "24:00" only where `allowEndOfDay` (a closing time). */
function parseTime(value: string, allowEndOfDay: boolean): number | null {
  if (allowEndOfDay && value === '24:00') return 24 * 60;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function assertYears(fromYear: number, toYear: number): void {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`invalid year range ${fromYear}–${toYear}`);
  }
  if (fromYear < 1971 || toYear > 9998) throw new RangeError(`years out of range: ${fromYear}`);
}

interface HolidayEntry {
  name: string;
  religious: boolean;
}

/**
 * The days of years [fromYear, toYear]. The year before and after are computed too: a holiday at
 * the end of December can move its day off into January, and a chain of moves must see the next
 * year's holidays to skip them.
 */
function computeDays(fromYear: number, toYear: number, rules: CalendarRules): CalendarDay[] {
  const first = dayNumber(fromYear - 1, 1, 1) as number;
  const last = dayNumber(toYear + 1, 12, 31) as number;

  const holidays = new Map<number, HolidayEntry[]>();
  const addHoliday = (n: number | null, entry: HolidayEntry) => {
    if (n === null || n < first || n > last) return;
    const list = holidays.get(n) ?? [];
    list.push(entry);
    holidays.set(n, list);
  };
  for (let year = fromYear - 1; year <= toYear + 1; year++) {
    for (const h of rules.fixed) {
      // 29 February exists only in leap years; other invalid days are reported by validation.
      addHoliday(dayNumber(year, h.month, h.day), { name: h.name, religious: h.religious });
    }
  }
  const transfersOff = new Map<number, string[]>();
  const transfersWork = new Map<number, string[]>();
  for (const o of rules.overrides) {
    const n = parseDate(o.date);
    if (n === null || n < first || n > last) continue;
    if (o.kind === 'work') {
      transfersWork.set(n, [...(transfersWork.get(n) ?? []), o.name]);
    } else if (o.religious !== undefined) {
      addHoliday(n, { name: o.name, religious: o.religious });
    } else {
      transfersOff.set(n, [...(transfersOff.get(n) ?? []), o.name]);
    }
  }
  // Sorted and deduplicated, so the entry order of the rules never shows in a name.
  const joinNames = (names: string[]) => [...new Set(names)].sort(compareStrings).join(' / ');

  // An explicit working-day transfer wins over everything else on its date.
  const days = new Map<number, CalendarDay>();
  for (let n = first; n <= last; n++) {
    const date = formatDate(n);
    const work = transfersWork.get(n);
    const holiday = holidays.get(n);
    const off = transfersOff.get(n);
    if (work) {
      days.set(n, { date, kind: 'workday', name: joinNames(work), reason: 'transfer' });
    } else if (holiday) {
      const name = joinNames(holiday.map((h) => h.name));
      days.set(n, { date, kind: 'holiday', name, reason: 'holiday' });
    } else if (off) {
      days.set(n, { date, kind: 'holiday', name: joinNames(off), reason: 'transfer' });
    } else if (isWeekend(n)) {
      days.set(n, { date, kind: 'weekend', name: null, reason: 'weekend' });
    } else {
      days.set(n, { date, kind: 'workday', name: null, reason: null });
    }
  }

  // Moves, in date order so that a run of weekend holidays fills the following days one by one.
  // A moved day off only takes an ordinary Monday–Friday: never a transferred working day.
  for (const n of [...holidays.keys()].sort((a, b) => a - b)) {
    if (!isWeekend(n) || transfersWork.has(n)) continue;
    const movable = (holidays.get(n) ?? []).filter((h) => !h.religious);
    if (movable.length === 0) continue;
    for (let m = n + 1; m <= last; m++) {
      const day = days.get(m);
      if (day && day.kind === 'workday' && day.reason === null) {
        const name = `${joinNames(movable.map((h) => h.name))} (moved from ${formatDate(n)})`;
        days.set(m, { date: day.date, kind: 'holiday', name, reason: 'moved' });
        break;
      }
    }
  }

  const from = dayNumber(fromYear, 1, 1) as number;
  const to = dayNumber(toYear, 12, 31) as number;
  const result: CalendarDay[] = [];
  for (let n = from; n <= to; n++) result.push(days.get(n) as CalendarDay);
  return result;
}

/** The kind of every day of `year` with the rules applied (deterministic, sorted by date). */
export function calendarYear(year: number, rules: CalendarRules): CalendarDay[] {
  assertYears(year, year);
  return computeDays(year, year, rules);
}

/**
 * Days that are off although they are Mon–Fri (holidays, moved days off, transfers) and days that
 * are working although Sat/Sun, for years [from, to].
 */
export function exceptions(
  fromYear: number,
  toYear: number,
  rules: CalendarRules,
): { off: CalendarDay[]; work: string[] } {
  assertYears(fromYear, toYear);
  const off: CalendarDay[] = [];
  const work: string[] = [];
  for (const day of computeDays(fromYear, toYear, rules)) {
    const weekend = isWeekend(parseDate(day.date) as number);
    if (day.kind === 'holiday' && !weekend) off.push(day);
    if (day.kind === 'workday' && weekend) work.push(day.date);
  }
  return { off, work };
}

/** The calendar day in Asia/Almaty of the instant `at`, and the minutes since its midnight. */
function centerClock(at: Date): { day: number; minutes: number } {
  const local = at.getTime() + zoneOffsetMinutes(CENTER_TIME_ZONE, at) * 60_000;
  const day = Math.floor(local / DAY_MS);
  return { day, minutes: Math.floor((local - day * DAY_MS) / 60_000) };
}

/** The hours that apply to a day: workday hours on working days, day-off hours otherwise. */
function hoursFor(kind: DayKind, hours: WorkingHours): { open: string; close: string } {
  return kind === 'workday' ? hours.workday : hours.dayOff;
}

/**
 * Whether the center is open at the instant `at`, in Asia/Almaty. Holidays and weekends use dayOff
 * hours; transferred working days use workday hours.
 */
export function isOpen(at: Date, hours: WorkingHours, rules: CalendarRules): boolean {
  const { day, minutes } = centerClock(at);
  const date = formatDate(day);
  const today = calendarYear(Number(date.slice(0, 4)), rules).find((d) => d.date === date);
  if (!today) return false;
  const { open, close } = hoursFor(today.kind, hours);
  const from = parseTime(open, false);
  const to = parseTime(close, true);
  // Unparsable hours keep the center closed rather than guessing.
  if (from === null || to === null) return false;
  return minutes >= from && minutes < to;
}

/**
 * `isOpen` for many instants in a row (deadlines that count working time ask every minute of a
 * span): the calendar of each year is worked out once.
 */
export function openPredicate(hours: WorkingHours, rules: CalendarRules): (at: Date) => boolean {
  const years = new Map<number, Map<string, CalendarDay>>();
  return (at) => {
    const { day, minutes } = centerClock(at);
    const date = formatDate(day);
    const year = Number(date.slice(0, 4));
    let days = years.get(year);
    if (!days) {
      days = new Map(calendarYear(year, rules).map((d) => [d.date, d]));
      years.set(year, days);
    }
    const today = days.get(date);
    if (!today) return false;
    const { open, close } = hoursFor(today.kind, hours);
    const from = parseTime(open, false);
    const to = parseTime(close, true);
    if (from === null || to === null) return false;
    return minutes >= from && minutes < to;
  };
}

/**
 * Validates rules and hours; returns a list of problems, each naming the field, e.g.
 * `overrides[2].date: 2026-02-30 is not a date`.
 */
export function validateCalendar(rules: CalendarRules, hours: WorkingHours): string[] {
  const problems: string[] = [];

  const fixedSeen = new Map<string, number>();
  rules.fixed.forEach((h, i) => {
    const at = `fixed[${i}]`;
    if (!Number.isInteger(h.month) || h.month < 1 || h.month > 12) {
      problems.push(`${at}.month: ${h.month} is not a month (1–12)`);
    } else if (dayNumber(2000, h.month, h.day) === null) {
      // 2000 is a leap year, so 29 February is accepted (and applies in leap years only).
      problems.push(`${at}.day: ${h.day} is not a day of month ${h.month}`);
    } else {
      const key = `${h.month}-${h.day}`;
      const earlier = fixedSeen.get(key);
      if (earlier !== undefined) {
        problems.push(`${at}: ${h.day}.${h.month} is already fixed[${earlier}]`);
      } else {
        fixedSeen.set(key, i);
      }
    }
    if (h.name.trim() === '') problems.push(`${at}.name: must not be empty`);
  });

  const overrideSeen = new Map<string, number>();
  rules.overrides.forEach((o, i) => {
    const at = `overrides[${i}]`;
    const n = parseDate(o.date);
    if (n === null) {
      problems.push(`${at}.date: ${o.date} is not a date (YYYY-MM-DD)`);
    } else {
      const earlier = overrideSeen.get(o.date);
      if (earlier !== undefined) {
        problems.push(`${at}.date: ${o.date} is already overrides[${earlier}]`);
      } else {
        overrideSeen.set(o.date, i);
      }
    }
    if (o.kind !== 'off' && o.kind !== 'work') {
      problems.push(`${at}.kind: ${String(o.kind)} is not 'off' or 'work'`);
    } else if (o.kind === 'work') {
      if (o.religious !== undefined) {
        problems.push(`${at}.religious: only a day off can be a holiday`);
      }
      if (n !== null && !isWeekend(n)) {
        problems.push(
          `${at}.date: ${o.date} is a ${WEEKDAY_NAMES[weekday(n)]}; a working-day transfer must be a Saturday or Sunday`,
        );
      }
    } else if (o.religious === undefined && n !== null && isWeekend(n)) {
      problems.push(
        `${at}.date: ${o.date} is a ${WEEKDAY_NAMES[weekday(n)]}, already a day off; a transfer must be Monday–Friday`,
      );
    }
    if (o.name.trim() === '') problems.push(`${at}.name: must not be empty`);
  });

  for (const key of ['workday', 'dayOff'] as const) {
    const { open, close } = hours[key];
    const from = parseTime(open, false);
    const to = parseTime(close, true);
    if (from === null) problems.push(`${key}.open: ${open} is not a time (HH:MM, 00:00–23:59)`);
    if (to === null) problems.push(`${key}.close: ${close} is not a time (HH:MM, 00:00–24:00)`);
    if (from !== null && to !== null && to < from) {
      problems.push(`${key}.close: ${close} is before open ${open}`);
    }
  }
  return problems;
}

const HEADER =
  '; Generated by the KCC controller from its database. Do not edit: it is overwritten.\n';

/** Names go into `;` comments: one line, nothing else. */
function commentText(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/**
 * Opening time as an Asterisk expression operand: "1HHMM" (10900 for 09:00). The routine builds
 * the current time the same way, so both sides are five digits with no leading zero and compare
 * the same whether Asterisk reads them as integers or as strings.
 */
function hhmmOperand(value: string, allowEndOfDay: boolean): string {
  const minutes = parseTime(value, allowEndOfDay) as number;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `1${hh}${mm}`;
}

/** The `Set(KCC_OPEN=…)` for one kind of day; open === close is closed all day. */
function openLine(range: { open: string; close: string }): string {
  if (range.open === range.close) return 'Set(KCC_OPEN=0)';
  const from = hhmmOperand(range.open, false);
  const to = hhmmOperand(range.close, true);
  return `Set(KCC_OPEN=\${IF($[\${hm} >= ${from} & \${hm} < ${to}]?1:0)})`;
}

/**
 * Asterisk dialplan (extensions.conf text) that decides open/closed without the controller: the
 * days that differ from the plain weekday rule as extensions of two lookup contexts, and the Gosub
 * routine [kcc-hours] that sets KCC_OPEN (1/0) and KCC_DAY_KIND (workday|weekend|holiday).
 * Covers years [fromYear, toYear]; after the last one every day falls back to the weekday rule,
 * so it must be rendered again before then. Byte-identical for the same input.
 */
export function renderHoursDialplan(
  fromYear: number,
  toYear: number,
  hours: WorkingHours,
  rules: CalendarRules,
): string {
  const problems = validateCalendar(rules, hours);
  if (problems.length > 0) throw new Error(`invalid calendar: ${problems.join('; ')}`);
  assertYears(fromYear, toYear);

  const days = computeDays(fromYear, toYear, rules);
  const compact = (date: string) => date.replaceAll('-', '');
  // Holidays on a weekend are listed too, so that KCC_DAY_KIND says holiday on them.
  const off = days
    .filter((d) => d.kind === 'holiday')
    .map((d) => `exten => ${compact(d.date)},1,Return() ; ${commentText(d.name ?? '')}`);
  const work = days
    .filter((d) => d.kind === 'workday' && isWeekend(parseDate(d.date) as number))
    .map((d) => `exten => ${compact(d.date)},1,Return() ; ${commentText(d.name ?? '')}`);

  const section = (name: string, lines: string[]) => [`[${name}]`, ...lines].join('\n') + '\n';
  return [
    HEADER,
    section('kcc-days-off', [
      `; Days off other than ordinary weekends, ${fromYear}–${toYear} (SVC-4): holidays, moved days off, transfers.`,
      ...off,
    ]),
    section('kcc-days-work', [
      `; Saturdays and Sundays declared working days, ${fromYear}–${toYear} (SVC-4).`,
      ...work,
    ]),
    section('kcc-hours', [
      '; Gosub(kcc-hours,s,1): sets KCC_OPEN to 1 or 0 and KCC_DAY_KIND to workday, weekend or',
      '; holiday for the current moment in Asia/Almaty. EPOCH is read once, so date and time agree',
      '; at midnight. hm is "1HHMM" (10859 at 08:59): five digits without a leading zero, so the',
      '; comparisons below give the same answer as integers or as strings.',
      'exten => s,1,Set(LOCAL(now)=${EPOCH})',
      ` same => n,Set(LOCAL(date)=\${STRFTIME(\${now},${CENTER_TIME_ZONE},%Y%m%d)})`,
      ` same => n,Set(LOCAL(hm)=1\${STRFTIME(\${now},${CENTER_TIME_ZONE},%H%M)})`,
      ` same => n,Set(LOCAL(wday)=\${STRFTIME(\${now},${CENTER_TIME_ZONE},%u)})`,
      ' same => n,Set(KCC_DAY_KIND=${IF($[${wday} > 5]?weekend:workday)})',
      ' same => n,ExecIf($[${DIALPLAN_EXISTS(kcc-days-work,${date},1)}]?Set(KCC_DAY_KIND=workday))',
      ' same => n,ExecIf($[${DIALPLAN_EXISTS(kcc-days-off,${date},1)}]?Set(KCC_DAY_KIND=holiday))',
      ' same => n,GotoIf($["${KCC_DAY_KIND}" = "workday"]?workday)',
      ` same => n,${openLine(hours.dayOff)}`,
      ' same => n,Return()',
      ` same => n(workday),${openLine(hours.workday)}`,
      ' same => n,Return()',
    ]),
  ].join('\n');
}

import { describe, expect, it } from 'vitest';
import {
  calendarYear,
  DEFAULT_HOURS,
  DEFAULT_RULES,
  exceptions,
  isOpen,
  KAZAKHSTAN_FIXED_HOLIDAYS,
  KURBAN_AIT,
  renderHoursDialplan,
  validateCalendar,
  type CalendarDay,
  type CalendarRules,
  type WorkingHours,
} from './calendar.js';

const rules: CalendarRules = { fixed: KAZAKHSTAN_FIXED_HOLIDAYS, overrides: KURBAN_AIT };

function dayOf(date: string, r: CalendarRules = rules): CalendarDay {
  const day = calendarYear(Number(date.slice(0, 4)), r).find((d) => d.date === date);
  if (!day) throw new Error(`no ${date}`);
  return day;
}

const offDates = (from: number, to: number, r: CalendarRules = rules) =>
  exceptions(from, to, r).off.map((d) => d.date);

describe('calendarYear', () => {
  it('lists every day of the year in date order', () => {
    const days = calendarYear(2026, rules);
    expect(days).toHaveLength(365);
    expect(days[0]?.date).toBe('2026-01-01');
    expect(days.at(-1)?.date).toBe('2026-12-31');
    expect(calendarYear(2028, rules)).toHaveLength(366);
    const dates = days.map((d) => d.date);
    expect(dates).toEqual([...dates].sort());
  });

  it('marks the 2026 New Year, Orthodox Christmas and ordinary days', () => {
    expect(dayOf('2026-01-01')).toEqual({
      date: '2026-01-01',
      kind: 'holiday',
      name: 'New Year',
      reason: 'holiday',
    });
    expect(dayOf('2026-01-02').kind).toBe('holiday');
    expect(dayOf('2026-01-07')).toMatchObject({ kind: 'holiday', name: 'Orthodox Christmas' });
    expect(dayOf('2026-01-03')).toEqual({
      date: '2026-01-03',
      kind: 'weekend',
      name: null,
      reason: 'weekend',
    });
    expect(dayOf('2026-01-06')).toEqual({
      date: '2026-01-06',
      kind: 'workday',
      name: null,
      reason: null,
    });
  });

  it("moves International Women's Day from Sunday 8 March 2026 to Monday 9 March", () => {
    expect(dayOf('2026-03-08')).toMatchObject({ kind: 'holiday', reason: 'holiday' });
    expect(dayOf('2026-03-09')).toEqual({
      date: '2026-03-09',
      kind: 'holiday',
      name: "International Women's Day (moved from 2026-03-08)",
      reason: 'moved',
    });
    expect(dayOf('2026-03-10').kind).toBe('workday');
  });

  it('moves Nauryz on Sat 21 and Sun 22 March 2026 past Monday 23 to Tuesday 24 and Wednesday 25', () => {
    expect(dayOf('2026-03-21')).toMatchObject({ kind: 'holiday', reason: 'holiday' });
    expect(dayOf('2026-03-22')).toMatchObject({ kind: 'holiday', reason: 'holiday' });
    expect(dayOf('2026-03-23')).toMatchObject({ kind: 'holiday', reason: 'holiday' });
    expect(dayOf('2026-03-24')).toMatchObject({
      kind: 'holiday',
      reason: 'moved',
      name: 'Nauryz (moved from 2026-03-21)',
    });
    expect(dayOf('2026-03-25')).toMatchObject({
      kind: 'holiday',
      reason: 'moved',
      name: 'Nauryz (moved from 2026-03-22)',
    });
    expect(dayOf('2026-03-26').kind).toBe('workday');
  });

  it('moves Victory Day from Saturday 9 May 2026 to Monday 11 May and keeps Kurban Ait', () => {
    expect(dayOf('2026-05-11')).toMatchObject({ kind: 'holiday', reason: 'moved' });
    expect(dayOf('2026-05-27')).toEqual({
      date: '2026-05-27',
      kind: 'holiday',
      name: 'Kurban Ait',
      reason: 'holiday',
    });
  });

  it('does not move a religious holiday that falls on a weekend', () => {
    expect(dayOf('2029-01-07')).toMatchObject({ kind: 'holiday', name: 'Orthodox Christmas' });
    expect(dayOf('2029-01-08')).toMatchObject({ kind: 'workday', reason: null });
    const onSunday: CalendarRules = {
      fixed: [],
      overrides: [{ date: '2026-05-31', kind: 'off', name: 'Kurban Ait', religious: true }],
    };
    expect(offDates(2026, 2026, onSunday)).toEqual([]);
  });

  it('moves Independence Day from Saturday 16 December 2028 to Monday 18 December', () => {
    expect(dayOf('2028-12-18')).toMatchObject({
      kind: 'holiday',
      reason: 'moved',
      name: 'Independence Day (moved from 2028-12-16)',
    });
    expect(dayOf('2028-12-17').kind).toBe('weekend');
  });

  it('moves a day off into the next year when the holiday is at the end of December', () => {
    // Sunday 1 January 2023: Monday 2 January is itself New Year, so the move takes the 3rd.
    expect(dayOf('2023-01-03')).toMatchObject({
      kind: 'holiday',
      reason: 'moved',
      name: 'New Year (moved from 2023-01-01)',
    });
    // A holiday on Sunday 31 December 2023 skips New Year on 1–2 January 2024.
    const r: CalendarRules = {
      fixed: KAZAKHSTAN_FIXED_HOLIDAYS,
      overrides: [{ date: '2023-12-31', kind: 'off', name: 'Test Day', religious: false }],
    };
    expect(dayOf('2024-01-03', r)).toMatchObject({
      kind: 'holiday',
      reason: 'moved',
      name: 'Test Day (moved from 2023-12-31)',
    });
    expect(dayOf('2024-01-03').kind).toBe('workday');
  });

  it('applies transfers: a Saturday worked and a Monday off', () => {
    const r: CalendarRules = {
      fixed: KAZAKHSTAN_FIXED_HOLIDAYS,
      overrides: [
        ...KURBAN_AIT,
        { date: '2026-01-03', kind: 'work', name: 'Transfer to 5 January' },
        { date: '2026-01-05', kind: 'off', name: 'Transfer from 3 January' },
      ],
    };
    expect(dayOf('2026-01-03', r)).toEqual({
      date: '2026-01-03',
      kind: 'workday',
      name: 'Transfer to 5 January',
      reason: 'transfer',
    });
    expect(dayOf('2026-01-05', r)).toEqual({
      date: '2026-01-05',
      kind: 'holiday',
      name: 'Transfer from 3 January',
      reason: 'transfer',
    });
  });

  it('never puts a moved day off on a transferred working day', () => {
    // Women's Day on Sunday 8 March 2026; Monday 9 declared working: the day off goes to Tuesday.
    const r: CalendarRules = {
      fixed: KAZAKHSTAN_FIXED_HOLIDAYS,
      overrides: [{ date: '2026-03-07', kind: 'work', name: 'Worked Saturday' }],
    };
    expect(dayOf('2026-03-07', r)).toMatchObject({ kind: 'workday', reason: 'transfer' });
    expect(dayOf('2026-03-09', r)).toMatchObject({ kind: 'holiday', reason: 'moved' });
  });

  it('does not depend on the order the rules were entered in', () => {
    const shuffled: CalendarRules = {
      fixed: [...KAZAKHSTAN_FIXED_HOLIDAYS].reverse(),
      overrides: [...KURBAN_AIT].reverse(),
    };
    expect(calendarYear(2026, shuffled)).toEqual(calendarYear(2026, rules));
  });
});

describe('exceptions', () => {
  it('lists the weekdays off in 2026 and no working weekend days', () => {
    expect(offDates(2026, 2026)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-07',
      '2026-03-09',
      '2026-03-23',
      '2026-03-24',
      '2026-03-25',
      '2026-05-01',
      '2026-05-07',
      '2026-05-11',
      '2026-05-27',
      '2026-07-06',
      '2026-08-31',
      '2026-10-26',
      '2026-12-16',
    ]);
    expect(exceptions(2026, 2026, rules).work).toEqual([]);
  });

  it('covers a range of years and lists transferred working weekend days', () => {
    const r: CalendarRules = {
      ...rules,
      overrides: [...KURBAN_AIT, { date: '2027-01-09', kind: 'work', name: 'Worked Saturday' }],
    };
    const result = exceptions(2025, 2027, r);
    expect(result.work).toEqual(['2027-01-09']);
    expect(result.off[0]?.date).toBe('2025-01-01');
    expect(result.off.at(-1)?.date.startsWith('2027-')).toBe(true);
    expect(result.off.map((d) => d.date)).toContain('2025-06-06');
    // Kurban Ait 2027 is on Sunday 16 May and is not moved.
    expect(result.off.map((d) => d.date)).not.toContain('2027-05-17');
    expect(() => exceptions(2027, 2025, r)).toThrow(RangeError);
  });
});

describe('isOpen', () => {
  const open = (iso: string, r: CalendarRules = rules, h: WorkingHours = DEFAULT_HOURS) =>
    isOpen(new Date(iso), h, r);

  it('uses workday hours 09:00–21:00 on Wednesday 25 November 2026', () => {
    expect(open('2026-11-25T03:59:00Z')).toBe(false);
    expect(open('2026-11-25T04:00:00Z')).toBe(true);
    expect(open('2026-11-25T15:59:00Z')).toBe(true);
    expect(open('2026-11-25T16:00:00Z')).toBe(false);
  });

  it('uses day-off hours 10:00–19:00 on Saturday 28 November 2026', () => {
    expect(open('2026-11-28T04:59:00Z')).toBe(false);
    expect(open('2026-11-28T05:00:00Z')).toBe(true);
    expect(open('2026-11-28T13:59:00Z')).toBe(true);
    expect(open('2026-11-28T14:00:00Z')).toBe(false);
  });

  it('uses day-off hours on a holiday weekday and a moved day off', () => {
    // Wednesday 16 December 2026, Independence Day.
    expect(open('2026-12-16T04:30:00Z')).toBe(false);
    expect(open('2026-12-16T05:00:00Z')).toBe(true);
    expect(open('2026-12-16T14:30:00Z')).toBe(false);
    // Tuesday 24 March 2026, Nauryz moved from Saturday.
    expect(open('2026-03-24T04:30:00Z')).toBe(false);
    expect(open('2026-03-24T05:30:00Z')).toBe(true);
  });

  it('uses workday hours on a Saturday declared a working day', () => {
    const r: CalendarRules = {
      ...rules,
      overrides: [{ date: '2026-01-03', kind: 'work', name: 'Worked Saturday' }],
    };
    expect(open('2026-01-03T04:30:00Z', r)).toBe(true);
    expect(open('2026-01-03T15:30:00Z', r)).toBe(true);
    expect(open('2026-01-03T04:30:00Z')).toBe(false);
  });

  it('counts the day in Almaty, not in UTC', () => {
    // 19:30 UTC on Friday 1 May is 00:30 on Saturday 2 May in Almaty.
    const h: WorkingHours = {
      workday: { open: '00:00', close: '24:00' },
      dayOff: { open: '00:00', close: '00:00' },
    };
    expect(open('2026-05-01T19:30:00Z', rules, h)).toBe(false);
    expect(open('2026-05-04T19:30:00Z', rules, h)).toBe(true); // Tuesday 5 May, 00:30
  });

  it('stays closed all day when open equals close', () => {
    const h: WorkingHours = { ...DEFAULT_HOURS, dayOff: { open: '10:00', close: '10:00' } };
    expect(open('2026-11-28T05:00:00Z', rules, h)).toBe(false);
    expect(open('2026-11-28T08:00:00Z', rules, h)).toBe(false);
  });
});

describe('validateCalendar', () => {
  it('accepts the defaults', () => {
    expect(validateCalendar(DEFAULT_RULES, DEFAULT_HOURS)).toEqual([]);
  });

  it('names each problem by its field', () => {
    const problems = validateCalendar(
      {
        fixed: [
          { month: 2, day: 30, name: 'No such day', religious: false },
          { month: 13, day: 1, name: 'No such month', religious: false },
          { month: 1, day: 1, name: 'New Year', religious: false },
          { month: 1, day: 1, name: '', religious: false },
        ],
        overrides: [
          { date: '2026-05-27', kind: 'off', name: 'Kurban Ait', religious: true },
          { date: '2026-1-5', kind: 'off', name: 'Short date' },
          { date: '2026-02-30', kind: 'off', name: 'Not a date' },
          { date: '2026-05-27', kind: 'off', name: 'Again', religious: true },
          { date: '2026-01-05', kind: 'work', name: 'Monday worked' },
          { date: '2026-01-03', kind: 'off', name: 'Saturday off' },
        ],
      },
      {
        workday: { open: '25:00', close: '21:00' },
        dayOff: { open: '19:00', close: '10:00' },
      },
    );
    expect(problems).toEqual([
      'fixed[0].day: 30 is not a day of month 2',
      'fixed[1].month: 13 is not a month (1–12)',
      'fixed[3]: 1.1 is already fixed[2]',
      'fixed[3].name: must not be empty',
      'overrides[1].date: 2026-1-5 is not a date (YYYY-MM-DD)',
      'overrides[2].date: 2026-02-30 is not a date (YYYY-MM-DD)',
      'overrides[3].date: 2026-05-27 is already overrides[0]',
      'overrides[4].date: 2026-01-05 is a Monday; a working-day transfer must be a Saturday or Sunday',
      'overrides[5].date: 2026-01-03 is a Saturday, already a day off; a transfer must be Monday–Friday',
      'workday.open: 25:00 is not a time (HH:MM, 00:00–23:59)',
      'dayOff.close: 10:00 is before open 19:00',
    ]);
  });

  it('accepts 29 February, closing at 24:00 and a day closed all day', () => {
    const problems = validateCalendar(
      { fixed: [{ month: 2, day: 29, name: 'Leap Day', religious: false }], overrides: [] },
      {
        workday: { open: '00:00', close: '24:00' },
        dayOff: { open: '12:00', close: '12:00' },
      },
    );
    expect(problems).toEqual([]);
    expect(
      validateCalendar(DEFAULT_RULES, {
        ...DEFAULT_HOURS,
        dayOff: { open: '24:00', close: '24:00' },
      }),
    ).toEqual(['dayOff.open: 24:00 is not a time (HH:MM, 00:00–23:59)']);
  });
});

describe('renderHoursDialplan', () => {
  const small: CalendarRules = {
    fixed: [
      { month: 1, day: 1, name: 'New Year', religious: false },
      { month: 1, day: 7, name: 'Orthodox Christmas', religious: true },
      { month: 3, day: 8, name: "International Women's Day", religious: false },
    ],
    overrides: [
      { date: '2026-05-27', kind: 'off', name: 'Kurban Ait', religious: true },
      { date: '2026-01-03', kind: 'work', name: 'Worked Saturday' },
      { date: '2026-01-05', kind: 'off', name: 'Transfer from 3 January' },
    ],
  };

  const section = (text: string, name: string) => {
    const start = text.indexOf(`[${name}]\n`);
    const end = text.indexOf('\n[', start + 1);
    return text.slice(start, end === -1 ? undefined : end).split('\n');
  };

  it('pins the dialplan for a small calendar', async () => {
    await expect(renderHoursDialplan(2026, 2027, DEFAULT_HOURS, small)).toMatchFileSnapshot(
      './__fixtures__/hours.conf',
    );
  });

  it('is byte-identical for the same rules in any order', () => {
    const shuffled: CalendarRules = {
      fixed: [...small.fixed].reverse(),
      overrides: [...small.overrides].reverse(),
    };
    expect(renderHoursDialplan(2026, 2027, DEFAULT_HOURS, shuffled)).toBe(
      renderHoursDialplan(2026, 2027, DEFAULT_HOURS, small),
    );
  });

  it('lists exactly the 2026 days off, holidays on weekends included', () => {
    const text = renderHoursDialplan(2026, 2026, DEFAULT_HOURS, rules);
    const extens = section(text, 'kcc-days-off').filter((l) => l.startsWith('exten'));
    expect(extens).toEqual([
      'exten => 20260101,1,Return() ; New Year',
      'exten => 20260102,1,Return() ; New Year',
      'exten => 20260107,1,Return() ; Orthodox Christmas',
      "exten => 20260308,1,Return() ; International Women's Day",
      "exten => 20260309,1,Return() ; International Women's Day (moved from 2026-03-08)",
      'exten => 20260321,1,Return() ; Nauryz',
      'exten => 20260322,1,Return() ; Nauryz',
      'exten => 20260323,1,Return() ; Nauryz',
      'exten => 20260324,1,Return() ; Nauryz (moved from 2026-03-21)',
      'exten => 20260325,1,Return() ; Nauryz (moved from 2026-03-22)',
      'exten => 20260501,1,Return() ; Unity Day',
      'exten => 20260507,1,Return() ; Defender of the Fatherland Day',
      'exten => 20260509,1,Return() ; Victory Day',
      'exten => 20260511,1,Return() ; Victory Day (moved from 2026-05-09)',
      'exten => 20260527,1,Return() ; Kurban Ait',
      'exten => 20260706,1,Return() ; Capital Day',
      'exten => 20260830,1,Return() ; Constitution Day',
      'exten => 20260831,1,Return() ; Constitution Day (moved from 2026-08-30)',
      'exten => 20261025,1,Return() ; Republic Day',
      'exten => 20261026,1,Return() ; Republic Day (moved from 2026-10-25)',
      'exten => 20261216,1,Return() ; Independence Day',
    ]);
    expect(section(text, 'kcc-days-work').filter((l) => l.startsWith('exten'))).toEqual([]);
  });

  it('lists working weekend days and renders the hours as 1HHMM operands', () => {
    const text = renderHoursDialplan(2026, 2026, DEFAULT_HOURS, small);
    expect(section(text, 'kcc-days-work')).toContain(
      'exten => 20260103,1,Return() ; Worked Saturday',
    );
    expect(section(text, 'kcc-days-off')).toContain(
      'exten => 20260105,1,Return() ; Transfer from 3 January',
    );
    const hours = section(text, 'kcc-hours');
    expect(hours).toContain(
      ' same => n(workday),Set(KCC_OPEN=${IF($[${hm} >= 10900 & ${hm} < 12100]?1:0)})',
    );
    expect(hours).toContain(
      ' same => n,Set(KCC_OPEN=${IF($[${hm} >= 11000 & ${hm} < 11900]?1:0)})',
    );
  });

  it('renders a day closed all day as never open', () => {
    const h: WorkingHours = { ...DEFAULT_HOURS, dayOff: { open: '10:00', close: '10:00' } };
    const hours = section(renderHoursDialplan(2026, 2026, h, small), 'kcc-hours');
    expect(hours).toContain(' same => n,Set(KCC_OPEN=0)');
    expect(hours.filter((l) => l.includes('KCC_OPEN=${IF'))).toHaveLength(1);
  });

  it('keeps names on their comment line', () => {
    const r: CalendarRules = {
      fixed: [{ month: 1, day: 1, name: 'New\n[evil]\nYear', religious: false }],
      overrides: [],
    };
    const text = renderHoursDialplan(2026, 2026, DEFAULT_HOURS, r);
    expect(text).not.toMatch(/^\[evil\]/m);
    expect(text).toContain('exten => 20260101,1,Return() ; New [evil] Year');
  });

  it('refuses invalid rules or hours', () => {
    const h: WorkingHours = { ...DEFAULT_HOURS, workday: { open: '09:00', close: '25:00' } };
    expect(() => renderHoursDialplan(2026, 2026, h, small)).toThrow(/workday\.close/);
  });
});

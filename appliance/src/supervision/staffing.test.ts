import { describe, expect, it } from 'vitest';
import { DEFAULT_HOURS, DEFAULT_RULES, openPredicate } from '../pbx/calendar.js';
import {
  alertChanges,
  signedInStaff,
  staffingAlerts,
  type FloorEntry,
  type StaffingAlert,
} from './staffing.js';

const isOpen = openPredicate(DEFAULT_HOURS, DEFAULT_RULES);

/** Tuesday 3 March 2026 at hh:mm in Almaty (UTC+5). */
const tuesday = (hhmm: string) => new Date(`2026-03-03T${hhmm}:00+05:00`);
/** Friday 1 May 2026, Unity Day: a public holiday, open 10:00–19:00. */
const holiday = (hhmm: string) => new Date(`2026-05-01T${hhmm}:00+05:00`);

const FULL = [
  { role: 'operator' },
  { role: 'operator' },
  { role: 'operator' },
  { role: 'supervisor' },
  { role: 'second_line' },
];

const ids = (alerts: StaffingAlert[]) => alerts.map((a) => a.id);
const at = (when: Date, signedIn: ReadonlyArray<{ role: string }>) =>
  staffingAlerts({ signedIn, open: isOpen(when) });

describe('staffingAlerts', () => {
  it('raises nothing with three operators, a supervisor and a second-line operator', () => {
    expect(at(tuesday('12:00'), FULL)).toEqual([]);
  });

  it('raises every alert with nobody signed in during working hours', () => {
    expect(at(tuesday('12:00'), [])).toEqual([
      { id: 'operators_below_minimum', count: 0, minimum: 3 },
      { id: 'no_supervisor' },
      { id: 'no_second_line' },
    ]);
  });

  it('counts first-line operators only towards the minimum', () => {
    const signedIn = [
      { role: 'operator' },
      { role: 'operator' },
      { role: 'second_line' },
      { role: 'second_line' },
      { role: 'supervisor' },
      { role: 'administrator' },
    ];
    expect(at(tuesday('12:00'), signedIn)).toEqual([
      { id: 'operators_below_minimum', count: 2, minimum: 3 },
    ]);
  });

  it('follows operators signing in and out during working hours', () => {
    const floor: Array<{ role: string }> = [{ role: 'supervisor' }, { role: 'second_line' }];
    const seen: string[][] = [];
    for (let i = 0; i < 3; i += 1) {
      seen.push(ids(at(tuesday('10:00'), floor)));
      floor.push({ role: 'operator' });
    }
    seen.push(ids(at(tuesday('10:00'), floor)));
    floor.splice(floor.indexOf(floor.find((u) => u.role === 'operator')!), 1);
    seen.push(ids(at(tuesday('10:00'), floor)));
    expect(seen).toEqual([
      ['operators_below_minimum'],
      ['operators_below_minimum'],
      ['operators_below_minimum'],
      [],
      ['operators_below_minimum'],
    ]);
  });

  it('takes the minimum from the policy', () => {
    expect(
      staffingAlerts({ signedIn: FULL, open: true }, { minOperators: 4 }).map((a) => a),
    ).toEqual([{ id: 'operators_below_minimum', count: 3, minimum: 4 }]);
    expect(
      staffingAlerts({ signedIn: [], open: true }, { minOperators: 0 }).map((a) => a.id),
    ).toEqual(['no_supervisor', 'no_second_line']);
  });

  it('never raises outside working hours', () => {
    for (const when of [tuesday('03:00'), tuesday('08:59'), tuesday('21:00'), tuesday('23:30')]) {
      expect(at(when, [])).toEqual([]);
    }
  });

  it('uses the day-off hours on a public holiday', () => {
    // 09:30 is working time on a Tuesday, not on Unity Day (10:00–19:00).
    expect(ids(at(tuesday('09:30'), []))).toHaveLength(3);
    expect(at(holiday('09:30'), [])).toEqual([]);
    expect(ids(at(holiday('10:00'), []))).toHaveLength(3);
    expect(ids(at(holiday('18:59'), []))).toHaveLength(3);
    expect(at(holiday('19:00'), [])).toEqual([]);
  });

  it('starts at the opening minute and stops at the closing minute', () => {
    expect(at(new Date('2026-03-03T08:59:59.999+05:00'), [])).toEqual([]);
    expect(ids(at(tuesday('09:00'), []))).toHaveLength(3);
    expect(ids(at(new Date('2026-03-03T20:59:59.999+05:00'), []))).toHaveLength(3);
    expect(at(tuesday('21:00'), [])).toEqual([]);
  });
});

describe('signedInStaff', () => {
  const floor: FloorEntry[] = [
    { userId: 1, role: 'operator', status: 'ready' },
    { userId: 2, role: 'operator', status: 'offline' },
    { userId: 3, role: 'supervisor', status: 'not_ready' },
    { userId: 4, role: 'second_line', status: 'unreachable' },
    { userId: 5, role: 'operator', status: 'after_call_work' },
  ];

  it('keeps people with a status other than Signed out and a live console session', () => {
    expect(signedInStaff(floor, new Set([1, 2, 3, 4]))).toEqual([
      { userId: 1, role: 'operator' },
      { userId: 3, role: 'supervisor' },
      { userId: 4, role: 'second_line' },
    ]);
  });

  it('drops someone whose console session ended without signing out', () => {
    expect(signedInStaff(floor, new Set([1])).map((u) => u.userId)).toEqual([1]);
  });
});

describe('alertChanges', () => {
  const below = (count: number): StaffingAlert => ({
    id: 'operators_below_minimum',
    count,
    minimum: 3,
  });

  it('tells raised, cleared and updated alerts apart', () => {
    expect(
      alertChanges([below(2), { id: 'no_supervisor' }], [below(1), { id: 'no_second_line' }]),
    ).toEqual({
      raised: [{ id: 'no_second_line' }],
      cleared: [{ id: 'no_supervisor' }],
      updated: [below(1)],
    });
    expect(alertChanges([below(2)], [below(2)])).toEqual({ raised: [], cleared: [], updated: [] });
  });
});

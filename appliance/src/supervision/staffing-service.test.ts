/**
 * The staffing service on an injected clock and fake timers: alerts follow people signing in and
 * out during working hours, appear and clear on the minute the center opens and closes, are
 * journalled once each in the audit log, and survive a restart without being raised again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditStore } from '../admin/audit-store.js';
import type { Db } from '../db/database.js';
import { DEFAULT_HOURS, DEFAULT_RULES, openPredicate } from '../pbx/calendar.js';
import { memoryDb, silentLogger } from '../test-support.js';
import { StaffingService, type StaffingState } from './staffing-service.js';
import { DEFAULT_STAFFING, type StaffingPolicy } from './staffing.js';
import { StaffingJournal } from './store.js';

/** Tuesday 3 March 2026 at hh:mm:ss in Almaty (UTC+5): open 09:00–21:00. */
const tuesday = (time: string) => new Date(`2026-03-03T${time}+05:00`);

const FULL_FLOOR = ['operator', 'operator', 'operator', 'supervisor', 'second_line'];

interface Harness {
  db: Db;
  service: StaffingService;
  floor: Array<{ role: string }>;
  policy: StaffingPolicy;
  events: StaffingState[];
  journal: StaffingJournal;
  reads: { count: number };
}

async function harness(db?: Db): Promise<Harness> {
  const database = db ?? (await memoryDb());
  const now = () => new Date();
  const journal = new StaffingJournal(database, new AuditStore(database, now));
  const floor: Array<{ role: string }> = [];
  const policy = { ...DEFAULT_STAFFING };
  const reads = { count: 0 };
  const service = new StaffingService({
    signedIn: async () => {
      reads.count += 1;
      return [...floor];
    },
    workingTime: async () => openPredicate(DEFAULT_HOURS, DEFAULT_RULES),
    settings: {
      load: async () => policy,
      save: async (p) => {
        policy.minOperators = p.minOperators;
      },
    },
    journal,
    now,
    logger: silentLogger,
  });
  const events: StaffingState[] = [];
  service.on('changed', (s) => events.push(s));
  await service.load();
  return { db: database, service, floor, policy, events, journal, reads };
}

const ids = (s: StaffingState) => s.alerts.map((a) => a.id);

async function journalRows(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['action', 'target', 'at'])
    .where('action', 'like', 'staffing.%')
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.at} ${r.action.replace('staffing.alert_', '')} ${r.target}`);
}

describe('StaffingService', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('raises on the opening minute, follows sign-ins and sign-outs, clears on the closing minute', async () => {
    vi.setSystemTime(tuesday('08:58:30'));
    const h = await harness();
    h.service.start();
    await h.service.idle();
    expect(h.service.current()).toMatchObject({ open: false, alerts: [] });
    expect(h.events).toEqual([]);

    // 08:59 passes quietly; 09:00 opens the center with nobody there.
    await vi.advanceTimersByTimeAsync(30_000);
    await h.service.idle();
    expect(h.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(59_999);
    await h.service.idle();
    expect(h.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await h.service.idle();
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({
      open: true,
      evaluatedAt: '2026-03-03T04:00:00.000Z',
      alerts: [
        {
          id: 'operators_below_minimum',
          count: 0,
          minimum: 3,
          since: '2026-03-03T04:00:00.000Z',
        },
        { id: 'no_supervisor', since: '2026-03-03T04:00:00.000Z' },
        { id: 'no_second_line', since: '2026-03-03T04:00:00.000Z' },
      ],
    });

    // People sign in one by one (each a floor change).
    vi.setSystemTime(tuesday('09:05:10'));
    const seen: string[][] = [];
    for (const role of FULL_FLOOR) {
      h.floor.push({ role });
      seen.push(ids(await h.service.refresh()));
    }
    expect(seen).toEqual([
      ['operators_below_minimum', 'no_supervisor', 'no_second_line'],
      ['operators_below_minimum', 'no_supervisor', 'no_second_line'],
      ['no_supervisor', 'no_second_line'],
      ['no_second_line'],
      [],
    ]);
    // The count moving from 0 to 1 to 2 is announced too, but journalled only once raised.
    expect(h.events.map(ids)).toEqual([
      ['operators_below_minimum', 'no_supervisor', 'no_second_line'],
      ['operators_below_minimum', 'no_supervisor', 'no_second_line'],
      ['operators_below_minimum', 'no_supervisor', 'no_second_line'],
      ['no_supervisor', 'no_second_line'],
      ['no_second_line'],
      [],
    ]);

    // An operator signs out in the evening: raised again with the count.
    vi.setSystemTime(tuesday('20:58:00'));
    h.floor.splice(0, 1);
    const evening = await h.service.refresh();
    expect(evening.alerts).toEqual([
      { id: 'operators_below_minimum', count: 2, minimum: 3, since: '2026-03-03T15:58:00.000Z' },
    ]);

    // 20:59 keeps it; 21:00 closes the center and clears it.
    await vi.advanceTimersByTimeAsync(60_000);
    await h.service.idle();
    expect(ids(h.service.current())).toEqual(['operators_below_minimum']);
    await vi.advanceTimersByTimeAsync(60_000);
    await h.service.idle();
    expect(h.service.current()).toMatchObject({
      open: false,
      evaluatedAt: '2026-03-03T16:00:00.000Z',
      alerts: [],
    });

    // And nothing comes back overnight, whoever signs out.
    h.floor.length = 0;
    await vi.advanceTimersByTimeAsync(2 * 3600_000);
    await h.service.idle();
    expect(h.service.current().alerts).toEqual([]);

    expect(await journalRows(h.db)).toEqual([
      '2026-03-03T04:00:00.000Z raised operators_below_minimum',
      '2026-03-03T04:00:00.000Z raised no_supervisor',
      '2026-03-03T04:00:00.000Z raised no_second_line',
      '2026-03-03T04:05:10.000Z cleared operators_below_minimum',
      '2026-03-03T04:05:10.000Z cleared no_supervisor',
      '2026-03-03T04:05:10.000Z cleared no_second_line',
      '2026-03-03T15:58:00.000Z raised operators_below_minimum',
      '2026-03-03T16:00:00.000Z cleared operators_below_minimum',
    ]);
    h.service.stop();
  });

  it('raises nothing on a holiday before its day-off opening hour', async () => {
    // Unity Day, Friday 1 May 2026: open 10:00–19:00.
    vi.setSystemTime(new Date('2026-05-01T09:30:00+05:00'));
    const h = await harness();
    h.service.start();
    await h.service.idle();
    expect(h.service.current()).toMatchObject({ open: false, alerts: [] });
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await h.service.idle();
    expect(h.service.current()).toMatchObject({ open: true });
    expect(ids(h.service.current())).toHaveLength(3);
    expect(h.service.current().evaluatedAt).toBe('2026-05-01T05:00:00.000Z');
    h.service.stop();
  });

  it('evaluates with a new minimum as soon as it is saved', async () => {
    vi.setSystemTime(tuesday('12:00:00'));
    const h = await harness();
    h.floor.push(...FULL_FLOOR.map((role) => ({ role })));
    expect((await h.service.refresh()).alerts).toEqual([]);
    await h.service.setPolicy({ minOperators: 4 });
    expect(h.service.current().alerts).toMatchObject([
      { id: 'operators_below_minimum', count: 3, minimum: 4 },
    ]);
  });

  it('keeps alerts raised before a restart without journalling them again', async () => {
    vi.setSystemTime(tuesday('10:00:00'));
    const first = await harness();
    first.floor.push({ role: 'supervisor' }, { role: 'second_line' });
    await first.service.refresh();
    expect(await journalRows(first.db)).toEqual([
      '2026-03-03T05:00:00.000Z raised operators_below_minimum',
    ]);

    vi.setSystemTime(tuesday('10:30:00'));
    const second = await harness(first.db);
    expect(second.service.current().alerts).toEqual([
      { id: 'operators_below_minimum', count: 0, minimum: 3, since: '2026-03-03T05:00:00.000Z' },
    ]);
    second.floor.push({ role: 'supervisor' }, { role: 'second_line' }, { role: 'operator' });
    const state = await second.service.refresh();
    // Still raised since 10:00, now with one operator.
    expect(state.alerts).toEqual([
      { id: 'operators_below_minimum', count: 1, minimum: 3, since: '2026-03-03T05:00:00.000Z' },
    ]);
    expect(await journalRows(second.db)).toHaveLength(1);
    expect((await second.journal.history(10)).map((e) => `${e.change} ${e.id} ${e.count}`)).toEqual(
      ['raised operators_below_minimum 0'],
    );
  });

  it('clears after a restart an alert whose cause ended while the controller was down', async () => {
    vi.setSystemTime(tuesday('20:00:00'));
    const first = await harness();
    await first.service.refresh();
    vi.setSystemTime(tuesday('22:00:00'));
    const second = await harness(first.db);
    const events: StaffingState[] = [];
    second.service.on('changed', (s) => events.push(s));
    await second.service.refresh();
    expect(events).toHaveLength(1);
    expect(second.service.current()).toMatchObject({ open: false, alerts: [] });
    expect((await second.journal.active()).length).toBe(0);
  });

  it('coalesces a burst of floor changes into one more evaluation', async () => {
    vi.setSystemTime(tuesday('12:00:00'));
    const h = await harness();
    const all = Array.from({ length: 20 }, () => h.service.refresh());
    await Promise.all(all);
    expect(h.reads.count).toBeLessThanOrEqual(2);
  });
});

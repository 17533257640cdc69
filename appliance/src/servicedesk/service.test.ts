import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../admin/errors.js';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';
import { silentLogger, TestClock } from '../test-support.js';
import { ServiceDesk, type Actor, type TicketInput } from './service.js';

const alice: Actor = { kind: 'user', username: 'alice' };
const crm: Actor = { kind: 'api', client: 'crm' };

const technical: TicketInput = {
  type: 'technical',
  channel: 'voice',
  subscriber: { name: 'Айгүл Серікқызы', phone: '8 701 123 45 67', account: 'KZ-1001' },
  regionId: 'almaty',
  serviceId: 'dvb_t2',
  topic: 'No signal',
  description: 'Channels disappeared after the storm',
};

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('service desk', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let close: () => void;
  let clock: TestClock;
  let sd: ServiceDesk;

  async function open(): Promise<ServiceDesk> {
    const opened = openDatabase(file);
    db = opened.db;
    close = () => opened.sqlite.close();
    await migrateToLatest(db);
    return new ServiceDesk(db, { now: clock.now, logger: silentLogger });
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kcc-sd-'));
    file = path.join(dir, 'kcc.db');
    clock = new TestClock('2026-11-25T05:00:00.000Z');
    sd = await open();
    await db
      .insertInto('users')
      .values({
        username: 'alice',
        display_name: 'Alice',
        role: 'operator',
        password_hash: 'x',
        language: 'ru',
        enabled: 1,
        created_at: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
      } as never)
      .execute();
  });

  afterEach(() => {
    sd.stop();
    close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a ticket with the phone in E.164 and a history event holding every field', async () => {
    const { ticket, created } = await sd.create(technical, alice);
    expect(created).toBe(true);
    expect(ticket).toMatchObject({
      status: 'new',
      line: 'first',
      subscriber: { phone: '+77011234567', account: 'KZ-1001' },
      createdBy: 'alice',
    });
    const { history } = await sd.detail(ticket.id);
    expect(history).toHaveLength(1);
    expect(history[0]!.kind).toBe('created');
    expect(history[0]!.changes.map((c) => c.field).sort()).toEqual(
      [
        'channel',
        'description',
        'regionId',
        'serviceId',
        'subscriberAccount',
        'subscriberName',
        'subscriberPhone',
        'topic',
        'type',
      ].sort(),
    );
  });

  it('records every field change as an event with before and after, never overwriting the past', async () => {
    const { ticket } = await sd.create(technical, alice);
    clock.advance(60_000);
    await sd.update(ticket.id, { topic: 'No signal on 3 channels', regionId: 'abai' }, alice, 1);
    clock.advance(60_000);
    await sd.update(ticket.id, { subscriber: { phone: '+7 702 000 00 01' } }, alice);
    const { history, ticket: now } = await sd.detail(ticket.id);
    expect(history.map((e) => e.kind)).toEqual(['created', 'updated', 'updated']);
    expect(history[1]!.changes).toEqual([
      { field: 'regionId', from: 'almaty', to: 'abai' },
      { field: 'topic', from: 'No signal', to: 'No signal on 3 channels' },
    ]);
    expect(history[2]!.changes).toEqual([
      { field: 'subscriberPhone', from: '+77011234567', to: '+77020000001' },
    ]);
    expect(history.every((e) => e.actor === 'alice')).toBe(true);
    expect(now.revision).toBe(3);
    // Replaying the history from nothing gives today's ticket.
    const replay: Record<string, unknown> = {};
    for (const e of history) for (const c of e.changes) replay[c.field] = c.to;
    expect(replay).toMatchObject({
      topic: now.topic,
      regionId: now.regionId,
      subscriberPhone: now.subscriber.phone,
    });
  });

  it('refuses a save over a newer revision', async () => {
    const { ticket } = await sd.create(technical, alice);
    await sd.update(ticket.id, { topic: 'First edit' }, alice, 1);
    const err = await rejection(sd.update(ticket.id, { topic: 'Stale edit' }, alice, 1));
    expect(err.statusCode).toBe(409);
    expect((await sd.get(ticket.id)).topic).toBe('First edit');
  });

  it('moves through the status machine and refuses illegal moves without changing anything', async () => {
    const { ticket } = await sd.create(technical, alice);
    const err = await rejection(sd.setStatus(ticket.id, 'closed', alice));
    expect(err.statusCode).toBe(409);
    expect(err.message).toMatch(/A new ticket cannot become closed/);
    expect((await sd.detail(ticket.id)).history).toHaveLength(1);

    await sd.setStatus(ticket.id, 'in_progress', alice);
    await sd.setStatus(ticket.id, 'resolved', alice, 'Retuned the receiver with the subscriber');
    const closed = await sd.setStatus(ticket.id, 'closed', alice);
    expect(closed.closedAt).not.toBeNull();
    const reopened = await sd.setStatus(ticket.id, 'in_progress', alice, 'Signal lost again');
    expect(reopened).toMatchObject({ status: 'in_progress', resolvedAt: null, closedAt: null });
    const kinds = (await sd.detail(ticket.id)).history.map((e) => e.kind);
    expect(kinds).toEqual([
      'created',
      'status_changed',
      'status_changed',
      'status_changed',
      'reopened',
    ]);
  });

  it('refuses an incomplete registration, names the fields, saves nothing and counts it', async () => {
    const err = await rejection(
      sd.create({ type: 'complaint', channel: 'voice', topic: 'Rude answer' }, alice),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(
      'A complaint ticket needs: subscriber.name, subscriber.phone, regionId, serviceId, description',
    );
    expect((await sd.list({ limit: 10, offset: 0 })).total).toBe(0);
    const report = await sd.correctionsByOperator('2026-01-01', '2027-01-01');
    expect(report).toEqual([
      { username: 'alice', registered: 0, neededCorrection: 0, refusedSaves: 1 },
    ]);
  });

  it('refuses bad input naming the field, and nothing is half-saved', async () => {
    const cases: Array<[TicketInput, string]> = [
      [
        { ...technical, subscriber: { ...technical.subscriber, phone: '12-34' } },
        'subscriber.phone',
      ],
      [
        { ...technical, subscriber: { ...technical.subscriber, phone: 'call me' } },
        'subscriber.phone',
      ],
      [{ ...technical, regionId: 'atlantis' }, 'regionId'],
      [{ ...technical, serviceId: 'cable' }, 'serviceId'],
      [{ ...technical, description: 'x'.repeat(4001) }, 'description'],
      [{ ...technical, assignee: 'nobody' }, 'assignee'],
    ];
    for (const [input, field] of cases) {
      const err = await rejection(sd.create(input, alice));
      expect(err.statusCode, field).toBe(400);
      expect(err.details?.field, err.message).toBe(field);
      expect(err.message.startsWith(`${field}: `), err.message).toBe(true);
    }
    expect((await sd.list({ limit: 10, offset: 0 })).total).toBe(0);
    expect(await db.selectFrom('ticket_events').select('id').execute()).toEqual([]);
  });

  it('is idempotent by client key for an API client, and refuses the key with another request', async () => {
    const key = (k: string, h = 'h1') => ({ clientKey: k, requestHash: h });
    const first = await sd.create(technical, crm, key('crm-77'));
    const again = await sd.create(technical, crm, key('crm-77'));
    expect(first.created).toBe(true);
    expect(again).toEqual({ ticket: first.ticket, created: false });
    const other = await rejection(
      sd.create({ ...technical, topic: 'Different body' }, crm, key('crm-77', 'h2')),
    );
    expect(other.statusCode).toBe(409);
    expect(other.details?.field).toBe('clientKey');
    const parallel = await Promise.all(
      [1, 2, 3].map(() => sd.create(technical, crm, key('crm-78'))),
    );
    expect(new Set(parallel.map((p) => p.ticket.id)).size).toBe(1);
    expect(parallel.filter((p) => p.created)).toHaveLength(1);
    expect((await sd.list({ limit: 10, offset: 0 })).total).toBe(2);
  });

  describe('the second line callback clock', () => {
    it('starts at registration, raises the breach exactly once at the due moment, and survives a restart', async () => {
      const breaches: number[] = [];
      sd.on('breach', (b) => breaches.push(b.ticket.id));
      const { ticket } = await sd.create(technical, alice);
      clock.advance(30 * 60_000);
      const escalated = await sd.escalate(ticket.id, alice, 'Needs an engineer');
      // Two hours from registration, not from the escalation (LINE-5).
      expect(escalated.callback).toEqual({
        dueAt: '2026-11-25T07:00:00.000Z',
        doneAt: null,
        breachedAt: null,
      });
      expect((await sd.nextDeadline())?.toISOString()).toBe('2026-11-25T07:00:00.000Z');

      clock.set('2026-11-25T06:59:59.999Z');
      expect(await sd.checkDeadlines()).toBe(0);
      clock.set('2026-11-25T07:00:00.000Z');
      expect(await sd.checkDeadlines()).toBe(1);
      expect(await sd.checkDeadlines()).toBe(0);
      expect(breaches).toEqual([ticket.id]);

      // A restart: a new service over the same database file raises nothing again.
      sd.stop();
      close();
      clock.advance(3_600_000);
      sd = await open();
      sd.on('breach', (b) => breaches.push(b.ticket.id));
      await sd.start();
      expect(breaches).toEqual([ticket.id]);
      const { ticket: t, history } = await sd.detail(ticket.id);
      expect(t.callback?.breachedAt).toBe('2026-11-25T07:00:00.000Z');
      expect(history.filter((e) => e.kind === 'callback_breached')).toHaveLength(1);
      expect(history.at(-1)?.actor).toBe('system');
    });

    it('wakes up by itself at the deadline, whatever the hour-long naps before it', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const seen: string[] = [];
        sd.on('breach', () => seen.push(clock.now().toISOString()));
        const { ticket } = await sd.create(technical, alice);
        await sd.escalate(ticket.id, alice);
        await sd.start();
        // Move the wall clock and the timers together, a minute at a time, for three hours.
        for (let minute = 0; minute < 180 && seen.length === 0; minute++) {
          clock.advance(60_000);
          await vi.advanceTimersByTimeAsync(60_000);
        }
        // Due at 07:00; the breach comes within the minute it falls due, and only once.
        expect(seen).toHaveLength(1);
        expect(Date.parse(seen[0]!) - Date.parse('2026-11-25T07:00:00.000Z')).toBeLessThanOrEqual(
          60_000,
        );
        expect(Date.parse(seen[0]!)).toBeGreaterThanOrEqual(Date.parse('2026-11-25T07:00:00.000Z'));
        clock.advance(3_600_000);
        await vi.advanceTimersByTimeAsync(3_600_000);
        expect(seen).toHaveLength(1);
      } finally {
        sd.stop();
        vi.useRealTimers();
      }
    });

    it('raises at start a breach that fell due while the controller was down', async () => {
      const { ticket } = await sd.create(technical, alice);
      await sd.escalate(ticket.id, alice);
      sd.stop();
      close();
      clock.set('2026-11-25T09:00:00.000Z');
      sd = await open();
      const breaches: number[] = [];
      sd.on('breach', (b) => breaches.push(b.ticket.id));
      await sd.start();
      expect(breaches).toEqual([ticket.id]);
    });

    it('stops when the subscriber is reached, and logs every attempt with its result', async () => {
      const { ticket } = await sd.create(technical, alice);
      await expect(sd.logCallback(ticket.id, { result: 'no_answer' }, alice)).rejects.toThrow(
        /not with the second line/,
      );
      await sd.escalate(ticket.id, alice);
      clock.advance(20 * 60_000);
      await sd.logCallback(ticket.id, { result: 'no_answer' }, alice);
      clock.advance(20 * 60_000);
      const t = await sd.logCallback(
        ticket.id,
        { result: 'reached', note: 'Fixed', callId: '1795.1' },
        alice,
      );
      expect(t.callback?.doneAt).toBe('2026-11-25T05:40:00.000Z');
      clock.set('2026-11-25T08:00:00.000Z');
      expect(await sd.checkDeadlines()).toBe(0);
      const detail = await sd.detail(ticket.id);
      expect(detail.callbackAttempts.map((a) => a.result)).toEqual(['no_answer', 'reached']);
      expect(detail.links).toEqual([
        { kind: 'call', ref: '1795.1', createdAt: '2026-11-25T05:40:00.000Z' },
      ]);
      expect(await sd.nextDeadline()).toBeNull();
    });
  });

  it('puts an unresolved complaint past its deadline on the overdue list, once', async () => {
    const { ticket } = await sd.create(
      { ...technical, type: 'complaint', topic: 'Operator was rude' },
      alice,
    );
    expect(ticket.resolution?.dueAt).toBe('2026-11-28T05:00:00.000Z');
    clock.set('2026-11-28T05:00:00.000Z');
    expect(await sd.checkDeadlines()).toBe(1);
    expect(await sd.checkDeadlines()).toBe(0);
    const overdue = await sd.list({ overdue: true, limit: 10, offset: 0 });
    expect(overdue.items.map((t) => t.id)).toEqual([ticket.id]);
  });

  it('counts tickets sent back for correction per operator', async () => {
    const { ticket } = await sd.create(technical, alice);
    await sd.create({ ...technical, subscriber: { phone: '+77011112233' } }, alice);
    await sd.requestCorrection(ticket.id, 'Account number is of another subscriber', {
      kind: 'user',
      username: 'sup',
    });
    const after = await sd.update(ticket.id, { subscriber: { account: 'KZ-1002' } }, alice);
    expect(after.correctionRequestedAt).toBeNull();
    expect(after.corrections).toBe(1);
    expect(await sd.correctionsByOperator('2026-01-01', '2027-01-01')).toEqual([
      { username: 'alice', registered: 2, neededCorrection: 1, refusedSaves: 0 },
    ]);
  });

  it('queues a webhook delivery in the same transaction as each event', async () => {
    await db
      .insertInto('webhooks')
      .values({
        url: 'http://127.0.0.1:1/hook',
        secret: 's',
        events: JSON.stringify(['ticket.created', 'ticket.escalated']),
        created_by: 'admin',
        created_at: clock.now().toISOString(),
      })
      .execute();
    const { ticket } = await sd.create(technical, alice);
    await sd.comment(ticket.id, 'Called the branch', alice);
    await sd.escalate(ticket.id, alice);
    const rows = await db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();
    expect(rows.map((r) => (JSON.parse(r.payload) as { type: string }).type)).toEqual([
      'ticket.created',
      'ticket.escalated',
    ]);
    const payload = JSON.parse(rows[1]!.payload) as { ticket: { status: string; id: number } };
    expect(payload.ticket).toMatchObject({ id: ticket.id, status: 'escalated' });
  });
});

import { describe, expect, it } from 'vitest';
import { addWorkingTime, callbackDueAt, DEFAULT_CLOCK_POLICY } from './clock.js';
import {
  diffFields,
  missingFields,
  normalizePhone,
  TICKET_STATUSES,
  transitionError,
  type TicketFields,
} from './model.js';

const blank: TicketFields = {
  type: 'inquiry',
  channel: 'voice',
  subscriberName: null,
  subscriberPhone: null,
  subscriberAccount: null,
  regionId: null,
  serviceId: null,
  branchId: null,
  topic: null,
  description: null,
  assignee: null,
};

describe('ticket status machine', () => {
  it('allows the working path and reopening', () => {
    expect(transitionError('new', 'in_progress')).toBeNull();
    expect(transitionError('in_progress', 'escalated')).toBeNull();
    expect(transitionError('escalated', 'resolved')).toBeNull();
    expect(transitionError('resolved', 'closed')).toBeNull();
    expect(transitionError('closed', 'in_progress')).toBeNull();
    expect(transitionError('resolved', 'in_progress')).toBeNull();
  });

  it('refuses illegal moves with a message that lists the allowed ones', () => {
    expect(transitionError('new', 'closed')).toBe(
      'A new ticket cannot become closed; from new it can go to: in_progress, escalated, resolved',
    );
    expect(transitionError('closed', 'resolved')).toMatch(/cannot become resolved/);
    expect(transitionError('escalated', 'escalated')).toBe('The ticket is already escalated');
    // Every status has a way out: no ticket gets stuck.
    for (const s of TICKET_STATUSES) {
      expect(TICKET_STATUSES.some((t) => transitionError(s, t) === null)).toBe(true);
    }
  });
});

describe('required fields per type', () => {
  it('names what a complaint lacks', () => {
    expect(missingFields({ ...blank, type: 'complaint', topic: 'Noise' })).toEqual([
      'subscriber.name',
      'subscriber.phone',
      'regionId',
      'serviceId',
      'description',
    ]);
  });

  it('takes a phone or an account as the contact of an inquiry', () => {
    const inquiry = { ...blank, regionId: 'almaty', topic: 'Tariffs' };
    expect(missingFields(inquiry)).toEqual(['subscriber.phone or subscriber.account']);
    expect(missingFields({ ...inquiry, subscriberAccount: 'A-100' })).toEqual([]);
    expect(missingFields({ ...inquiry, subscriberPhone: '+77011234567' })).toEqual([]);
  });

  it('treats blank text as missing', () => {
    const t = { ...blank, type: 'technical' as const, subscriberPhone: '+77011234567' };
    expect(
      missingFields({ ...t, regionId: 'abai', serviceId: 'dvb_t2', topic: ' ', description: 'x' }),
    ).toEqual(['topic']);
  });
});

describe('subscriber phone numbers', () => {
  it('reads numbers as people say them in Kazakhstan into E.164', () => {
    expect(normalizePhone('8 701 123 45 67')).toBe('+77011234567');
    expect(normalizePhone('+7 (727) 258-15-00')).toBe('+77272581500');
    expect(normalizePhone('87011234567')).toBe('+77011234567');
    expect(normalizePhone('7011234567')).toBe('+77011234567');
    // A Russian number stays Russian.
    expect(normalizePhone('+7 495 123-45-67')).toBe('+74951234567');
  });

  it('refuses what is not a number, with the reason', () => {
    expect(() => normalizePhone('call me')).toThrow(/not a phone number/);
    expect(() => normalizePhone('12')).toThrow(/not a phone number/);
    expect(() => normalizePhone('+7 701 123')).toThrow(/not a valid/);
  });
});

describe('history diff', () => {
  it('lists each changed field with before and after, and nothing else', () => {
    expect(
      diffFields(
        { topic: 'a', regionId: 'abai', description: null },
        { topic: 'b', regionId: 'abai', description: 'text' },
      ),
    ).toEqual([
      { field: 'description', from: null, to: 'text' },
      { field: 'topic', from: 'a', to: 'b' },
    ]);
  });
});

describe('callback clock', () => {
  const at = new Date('2026-11-25T10:30:00.000Z');

  it('runs 2 hours from registration by default, working hours or not', () => {
    expect(callbackDueAt(at, DEFAULT_CLOCK_POLICY, () => false).toISOString()).toBe(
      '2026-11-25T12:30:00.000Z',
    );
  });

  it('counts only working time when the setting says so', () => {
    // Open 03:00–13:00 UTC, i.e. 08:00–18:00 in Almaty (UTC+5).
    const open = (d: Date) => d.getUTCHours() >= 3 && d.getUTCHours() < 13;
    const policy = { ...DEFAULT_CLOCK_POLICY, pauseOutsideHours: true };
    // 12:00 UTC: one hour left today, the second hour tomorrow from 03:00.
    expect(callbackDueAt(new Date('2026-11-25T12:00:00.000Z'), policy, open).toISOString()).toBe(
      '2026-11-26T04:00:00.000Z',
    );
    // Registered at night: the clock starts at opening.
    expect(callbackDueAt(new Date('2026-11-25T22:15:30.000Z'), policy, open).toISOString()).toBe(
      '2026-11-26T05:00:00.000Z',
    );
  });

  it('keeps seconds when the whole span is open', () => {
    expect(
      addWorkingTime(new Date('2026-01-01T00:00:30.000Z'), 90_000, () => true).toISOString(),
    ).toBe('2026-01-01T00:02:00.000Z');
  });

  it('gives up with a message when the calendar has no working time', () => {
    expect(() => addWorkingTime(at, 60_000, () => false)).toThrow(/no working time/);
  });
});

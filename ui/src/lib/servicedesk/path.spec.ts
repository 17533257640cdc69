import { describe, expect, it } from 'vitest';
import { parseTicketsPath, ticketsHash } from './path';

describe('tickets path', () => {
  it('reads the list with its filters, a ticket, and a new ticket from a call', () => {
    expect(parseTicketsPath('#/tickets?status=escalated&overdue=true&q=701')).toEqual({
      view: 'list',
      query: { status: 'escalated', overdue: true, q: '701' },
    });
    expect(parseTicketsPath('#/tickets/42')).toEqual({ view: 'ticket', id: 42 });
    expect(parseTicketsPath('#/tickets/new?call=1795.12&phone=77011234567')).toEqual({
      view: 'new',
      call: '1795.12',
      phone: '77011234567',
      channel: null,
    });
  });

  it('drops filter values it does not know', () => {
    expect(parseTicketsPath('#/tickets?status=lost&type=technical')).toEqual({
      view: 'list',
      query: { type: 'technical' },
    });
  });

  it('round-trips', () => {
    for (const hash of [
      '#/tickets/7',
      '#/tickets?line=second&overdue=true',
      '#/tickets/new?call=1.2',
    ]) {
      expect(ticketsHash(parseTicketsPath(hash))).toBe(hash);
    }
  });
});

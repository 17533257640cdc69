/**
 * Where in the Service Desk the address bar points: `#/tickets` (the list, with its filters in the
 * query), `#/tickets/123`, or `#/tickets/new` (prefilled from a call: `?call=…&phone=…`).
 */
import type { TicketQuery } from './types';
import { CHANNELS, TICKET_STATUSES, TICKET_TYPES } from './types';

export type TicketsPath =
  | { view: 'list'; query: TicketQuery }
  | { view: 'ticket'; id: number }
  | { view: 'new'; call: string | null; phone: string | null; channel: string | null };

export function parseTicketsPath(hash: string): TicketsPath {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(search);
  if (parts[1] === 'new') {
    return {
      view: 'new',
      call: params.get('call'),
      phone: params.get('phone'),
      channel: params.get('channel'),
    };
  }
  if (parts[1] && /^\d+$/.test(parts[1])) return { view: 'ticket', id: Number(parts[1]) };
  return { view: 'list', query: queryFrom(params) };
}

function pick<T extends string>(values: readonly T[], v: string | null): T | undefined {
  return v !== null && (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

export function queryFrom(params: URLSearchParams): TicketQuery {
  const q: TicketQuery = {};
  const type = pick(TICKET_TYPES, params.get('type'));
  if (type) q.type = type;
  const status = pick(TICKET_STATUSES, params.get('status'));
  if (status) q.status = status;
  const channel = pick(CHANNELS, params.get('channel'));
  if (channel) q.channel = channel;
  const line = pick(['first', 'second'] as const, params.get('line'));
  if (line) q.line = line;
  for (const key of ['regionId', 'serviceId', 'q'] as const) {
    const v = params.get(key);
    if (v) q[key] = v;
  }
  const branch = Number(params.get('branchId'));
  if (Number.isInteger(branch) && branch > 0) q.branchId = branch;
  if (params.get('overdue') === 'true') q.overdue = true;
  return q;
}

export function ticketsHash(p: TicketsPath): string {
  if (p.view === 'ticket') return `#/tickets/${p.id}`;
  if (p.view === 'new') {
    const params = new URLSearchParams();
    if (p.call) params.set('call', p.call);
    if (p.phone) params.set('phone', p.phone);
    if (p.channel) params.set('channel', p.channel);
    const s = params.toString();
    return `#/tickets/new${s ? `?${s}` : ''}`;
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(p.query))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return `#/tickets${s ? `?${s}` : ''}`;
}

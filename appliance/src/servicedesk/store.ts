/**
 * Every query on tickets, their history, links and callback attempts, and the webhook outbox rows
 * that ride in the same transaction as each history event.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, TicketsTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import type { FieldChange } from './model.js';

export type TicketRow = Selectable<TicketsTable>;
export type Tx = Transaction<Database>;

export interface TicketEvent {
  id: number;
  ticketId: number;
  at: string;
  actor: string;
  kind: string;
  changes: FieldChange[];
  note: string | null;
}

export interface TicketListQuery {
  type?: string;
  status?: string;
  regionId?: string;
  branchId?: number;
  serviceId?: string;
  channel?: string;
  line?: string;
  assignee?: string;
  createdBy?: string;
  /** Callback deadline passed without a reached callback, or a complaint past its deadline. */
  overdue?: boolean;
  /** Phone (digits), account or a part of the subscriber's name. */
  q?: string;
  limit: number;
  offset: number;
}

export class TicketStore {
  constructor(readonly db: Db) {}

  async get(id: number, tx: Db | Tx = this.db): Promise<TicketRow | undefined> {
    return tx.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byClientKey(apiClient: string, clientKey: string): Promise<TicketRow | undefined> {
    return this.db
      .selectFrom('tickets')
      .selectAll()
      .where('api_client', '=', apiClient)
      .where('client_key', '=', clientKey)
      .executeTakeFirst();
  }

  async list(q: TicketListQuery, now: string): Promise<{ items: TicketRow[]; total: number }> {
    let query = this.db.selectFrom('tickets');
    if (q.type) query = query.where('type', '=', q.type);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.regionId) query = query.where('region_id', '=', q.regionId);
    if (q.branchId) query = query.where('branch_id', '=', q.branchId);
    if (q.serviceId) query = query.where('service_id', '=', q.serviceId);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.line) query = query.where('line', '=', q.line);
    if (q.assignee) query = query.where('assignee', '=', q.assignee);
    if (q.createdBy) query = query.where('created_by', '=', q.createdBy);
    if (q.overdue) {
      query = query.where((eb) =>
        eb.or([
          eb.and([eb('callback_due_at', '<=', now), eb('callback_done_at', 'is', null)]),
          eb.and([
            eb('resolution_due_at', '<=', now),
            eb('resolved_at', 'is', null),
            eb('status', 'not in', ['resolved', 'closed']),
          ]),
        ]),
      );
    }
    if (q.q) {
      const text = q.q.trim();
      const digits = text.replace(/\D/g, '');
      query = query.where((eb) => {
        const ors = [
          eb('subscriber_account', '=', text),
          eb(sql<string>`ulower(subscriber_name)`, 'like', `%${text.toLowerCase()}%`),
        ];
        if (digits.length >= 4) ors.push(eb('subscriber_phone', 'like', `%${digits}%`));
        if (/^\d+$/.test(text)) ors.push(eb('id', '=', Number(text)));
        return eb.or(ors);
      });
    }
    const total = await query
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const items = await query
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items, total: Number(total.n) };
  }

  async events(ticketId: number): Promise<TicketEvent[]> {
    const rows = await this.db
      .selectFrom('ticket_events')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('id')
      .execute();
    return rows.map(toEvent);
  }

  async links(ticketId: number) {
    return this.db
      .selectFrom('ticket_links')
      .select(['kind', 'ref', 'created_at'])
      .where('ticket_id', '=', ticketId)
      .orderBy('created_at')
      .execute();
  }

  async callbackAttempts(ticketId: number) {
    return this.db
      .selectFrom('callback_attempts')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('id')
      .execute();
  }

  /** Appends a history event and queues it for every webhook that wants its kind. */
  async addEvent(
    tx: Tx,
    e: Omit<TicketEvent, 'id'>,
    payload: (eventId: number) => unknown,
  ): Promise<TicketEvent> {
    const row = await tx
      .insertInto('ticket_events')
      .values({
        ticket_id: e.ticketId,
        at: e.at,
        actor: e.actor,
        kind: e.kind,
        changes: JSON.stringify(e.changes),
        note: e.note,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const hooks = await tx
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('active', '=', 1)
      .execute();
    const wanted = hooks.filter((h) => {
      const kinds = JSON.parse(h.events) as string[];
      return kinds.includes('*') || kinds.includes(`ticket.${e.kind}`);
    });
    if (wanted.length > 0) {
      const body = JSON.stringify(payload(row.id));
      await tx
        .insertInto('webhook_deliveries')
        .values(
          wanted.map((h) => ({
            webhook_id: h.id,
            event_id: row.id,
            payload: body,
            created_at: e.at,
            next_attempt_at: e.at,
          })),
        )
        .execute();
    }
    return { ...e, id: row.id };
  }

  /** The earliest deadline still open, to wake up for. */
  async nextDeadline(): Promise<string | null> {
    const r = await this.db
      .selectFrom('tickets')
      .select((eb) => [
        eb.fn
          .min('callback_due_at')
          .filterWhere((w) =>
            w.and([w('callback_done_at', 'is', null), w('callback_breached_at', 'is', null)]),
          )
          .as('callback'),
        eb.fn
          .min('resolution_due_at')
          .filterWhere((w) =>
            w.and([
              w('resolved_at', 'is', null),
              w('resolution_breached_at', 'is', null),
              w('status', 'not in', ['resolved', 'closed']),
            ]),
          )
          .as('resolution'),
      ])
      .executeTakeFirst();
    const all = [r?.callback, r?.resolution].filter((v): v is string => typeof v === 'string');
    return all.length ? all.sort()[0]! : null;
  }
}

export function toEvent(r: {
  id: number;
  ticket_id: number;
  at: string;
  actor: string;
  kind: string;
  changes: string;
  note: string | null;
}): TicketEvent {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    changes: JSON.parse(r.changes) as FieldChange[],
    note: r.note,
  };
}

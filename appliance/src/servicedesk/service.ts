/**
 * The Service Desk (SD-30): registers tickets, applies every change as a history event, runs the
 * second line's 2-hour callback clock (LINE-5) and the complaint deadline (QA-12), and raises a
 * breach the moment a clock runs out, once, even across restarts: the breach is a guarded
 * update in the database (`… where breached_at is null`), not a timer's memory.
 *
 * Every write validates first and then happens in one transaction, so a refused request leaves
 * nothing behind; the webhook outbox rows are written in that same transaction.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';
import { callbackDueAt, resolutionDueAt, type ClockPolicy, DEFAULT_CLOCK_POLICY } from './clock.js';
import {
  diffFields,
  missingFields,
  normalizePhone,
  PhoneError,
  transitionError,
  LIMITS,
  type CallbackResult,
  type Channel,
  type FieldChange,
  type TicketFields,
  type TicketStatus,
  type TicketType,
} from './model.js';
import {
  TicketStore,
  type TicketEvent,
  type TicketListQuery,
  type TicketRow,
  type Tx,
} from './store.js';

/** Who did it: a console user, an API client, or the controller itself (deadlines). */
export type Actor =
  { kind: 'user'; username: string } | { kind: 'api'; client: string } | { kind: 'system' };

export function actorName(a: Actor): string {
  return a.kind === 'user' ? a.username : a.kind === 'api' ? `api:${a.client}` : 'system';
}

export interface TicketInput {
  type: TicketType;
  channel: Channel;
  subscriber?: { name?: string | null; phone?: string | null; account?: string | null };
  regionId?: string | null;
  serviceId?: string | null;
  branchId?: number | null;
  topic?: string | null;
  description?: string | null;
  assignee?: string | null;
  links?: Array<{ kind: 'call' | 'chat' | 'recording'; ref: string }>;
}

export type TicketPatch = Partial<Omit<TicketInput, 'links'>>;

export interface TicketView {
  id: number;
  type: TicketType;
  status: TicketStatus;
  line: 'first' | 'second';
  channel: Channel;
  subscriber: { name: string | null; phone: string | null; account: string | null };
  regionId: string | null;
  serviceId: string | null;
  branchId: number | null;
  topic: string | null;
  description: string | null;
  assignee: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
  escalatedAt: string | null;
  callback: { dueAt: string; doneAt: string | null; breachedAt: string | null } | null;
  resolution: { dueAt: string; breachedAt: string | null } | null;
  resolvedAt: string | null;
  closedAt: string | null;
  correctionRequestedAt: string | null;
  corrections: number;
  clientKey: string | null;
}

export function toTicketView(r: TicketRow): TicketView {
  return {
    id: r.id,
    type: r.type as TicketType,
    status: r.status as TicketStatus,
    line: r.line === 'second' ? 'second' : 'first',
    channel: r.channel as Channel,
    subscriber: {
      name: r.subscriber_name,
      phone: r.subscriber_phone,
      account: r.subscriber_account,
    },
    regionId: r.region_id,
    serviceId: r.service_id,
    branchId: r.branch_id,
    topic: r.topic,
    description: r.description,
    assignee: r.assignee,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    revision: r.revision,
    escalatedAt: r.escalated_at,
    callback: r.callback_due_at
      ? { dueAt: r.callback_due_at, doneAt: r.callback_done_at, breachedAt: r.callback_breached_at }
      : null,
    resolution: r.resolution_due_at
      ? { dueAt: r.resolution_due_at, breachedAt: r.resolution_breached_at }
      : null,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    correctionRequestedAt: r.correction_requested_at,
    corrections: r.corrections,
    clientKey: r.client_key,
  };
}

/** The columns people edit, by the field names of the model (the history speaks these). */
function fieldsOf(r: TicketRow): TicketFields {
  return {
    type: r.type as TicketType,
    channel: r.channel as Channel,
    subscriberName: r.subscriber_name,
    subscriberPhone: r.subscriber_phone,
    subscriberAccount: r.subscriber_account,
    regionId: r.region_id,
    serviceId: r.service_id,
    branchId: r.branch_id,
    topic: r.topic,
    description: r.description,
    assignee: r.assignee,
  };
}

function columnsOf(f: TicketFields) {
  return {
    type: f.type,
    channel: f.channel,
    subscriber_name: f.subscriberName,
    subscriber_phone: f.subscriberPhone,
    subscriber_account: f.subscriberAccount,
    region_id: f.regionId,
    service_id: f.serviceId,
    branch_id: f.branchId,
    topic: f.topic,
    description: f.description,
    assignee: f.assignee,
  };
}

function invalid(field: string, message: string): AppError {
  return new AppError(400, 'validation', `${field}: ${message}`, { field });
}

/** Trimmed text, null when empty; refused with the field's name when over its limit. */
function text(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  const t = value.trim();
  if (t.length > max) throw invalid(field, `at most ${max} characters (got ${t.length})`);
  return t === '' ? null : t;
}

export interface ServiceDeskEvents {
  /** A ticket changed: its new state and the history event that says how. */
  changed: [TicketView, TicketEvent];
  /** A clock ran out: the second line's callback, or a complaint's resolution. */
  breach: [{ kind: 'callback' | 'resolution'; ticket: TicketView; at: string }];
}

export interface ServiceDeskDeps {
  now: () => Date;
  logger: Logger;
  /** The clock settings (read on every registration and escalation). */
  policy?: () => Promise<ClockPolicy>;
  /** The center's working time now (calendar and hours), for clocks that pause outside it. */
  workingTime?: () => Promise<(at: Date) => boolean>;
}

export class ServiceDesk extends EventEmitter<ServiceDeskEvents> {
  readonly store: TicketStore;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly deps: ServiceDeskDeps,
  ) {
    super();
    this.store = new TicketStore(db);
  }

  private async policy(): Promise<{ policy: ClockPolicy; isOpen?: (at: Date) => boolean }> {
    const policy = this.deps.policy ? await this.deps.policy() : DEFAULT_CLOCK_POLICY;
    if (!policy.pauseOutsideHours || !this.deps.workingTime) return { policy };
    return { policy, isOpen: await this.deps.workingTime() };
  }

  // ---- Reading ----

  async get(id: number): Promise<TicketView> {
    const row = await this.store.get(id);
    if (!row) throw new AppError(404, 'not_found', `No ticket ${id}`);
    return toTicketView(row);
  }

  async detail(id: number) {
    const ticket = await this.get(id);
    const [history, links, callbacks] = await Promise.all([
      this.store.events(id),
      this.store.links(id),
      this.store.callbackAttempts(id),
    ]);
    return {
      ticket,
      history,
      links: links.map((l) => ({ kind: l.kind, ref: l.ref, createdAt: l.created_at })),
      callbackAttempts: callbacks.map((c) => ({
        id: c.id,
        at: c.at,
        by: c.by,
        result: c.result as CallbackResult,
        callId: c.call_id,
        note: c.note,
      })),
    };
  }

  async list(q: TicketListQuery) {
    const { items, total } = await this.store.list(q, this.deps.now().toISOString());
    return { items: items.map(toTicketView), total };
  }

  // ---- Registration and changes ----

  /**
   * Registers a ticket. With an API client and its client key the call is idempotent: the same key
   * with the same request returns the ticket made the first time (`created: false`); the same key
   * with a different request is refused (409 naming `clientKey`), since it is a client bug.
   */
  async create(
    input: TicketInput,
    actor: Actor,
    idempotency?: { clientKey: string; requestHash: string },
  ): Promise<{ ticket: TicketView; created: boolean }> {
    const apiClient = actor.kind === 'api' ? actor.client : null;
    const replay = async () => {
      if (!idempotency || !apiClient) return null;
      const existing = await this.store.byClientKey(apiClient, idempotency.clientKey);
      if (!existing) return null;
      if (existing.client_request_hash !== idempotency.requestHash) {
        throw new AppError(
          409,
          'duplicate_client_key',
          `clientKey: "${idempotency.clientKey}" was already used for ticket ${existing.id} with a different request`,
          { field: 'clientKey', ticketId: existing.id },
        );
      }
      return { ticket: toTicketView(existing), created: false };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    const fields = await this.checkedFields(input, null);
    await this.requireComplete(fields, actor);
    const links = (input.links ?? []).map((l, i) => ({
      kind: l.kind,
      ref: text(l.ref, `links[${i}].ref`, 200) ?? '',
    }));
    links.forEach((l, i) => {
      if (!l.ref) throw invalid(`links[${i}].ref`, 'must not be empty');
    });

    const now = this.deps.now();
    const at = now.toISOString();
    const { policy, isOpen } = await this.policy();
    const resolutionDue =
      fields.type === 'complaint' ? resolutionDueAt(now, policy, isOpen).toISOString() : null;
    try {
      const result = await this.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('tickets')
          .values({
            ...columnsOf(fields),
            status: 'new',
            line: 'first',
            created_by: actorName(actor),
            created_at: at,
            updated_at: at,
            resolution_due_at: resolutionDue,
            api_client: apiClient,
            client_key: idempotency && apiClient ? idempotency.clientKey : null,
            client_request_hash: idempotency && apiClient ? idempotency.requestHash : null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        for (const l of links) {
          await tx
            .insertInto('ticket_links')
            .values({ ticket_id: row.id, kind: l.kind, ref: l.ref, created_at: at })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        const changes = diffFields(
          {},
          fieldsOf(row) as unknown as Record<string, string | number | null>,
        );
        const event = await this.addEvent(tx, row, actor, 'created', changes, null, at);
        return { row, event };
      });
      this.afterChange(result.row, result.event);
      return { ticket: toTicketView(result.row), created: true };
    } catch (err) {
      // Two requests with the same client key at once: the unique index let one in.
      if (/UNIQUE constraint failed: tickets\.api_client/.test(String(err))) {
        const earlier = await replay();
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  /**
   * Changes fields. `revision` is the revision the editor saw: a save over someone else's newer
   * change is refused (409) rather than silently overwriting it.
   */
  async update(
    id: number,
    patch: TicketPatch,
    actor: Actor,
    revision?: number,
  ): Promise<TicketView> {
    const current = await this.store.get(id);
    if (!current) throw new AppError(404, 'not_found', `No ticket ${id}`);
    if (revision !== undefined && revision !== current.revision) {
      throw new AppError(
        409,
        'conflict',
        `Ticket ${id} was changed since you opened it (revision ${current.revision}, yours ${revision}); reload it and apply your change again`,
      );
    }
    const fields = await this.checkedFields(patch, current);
    await this.requireComplete(fields, actor);
    const changes = diffFields(
      fieldsOf(current) as unknown as Record<string, string | number | null>,
      fields as unknown as Record<string, string | number | null>,
    );
    if (changes.length === 0) return toTicketView(current);
    const at = this.deps.now().toISOString();
    const { row, event } = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('tickets')
        .set({
          ...columnsOf(fields),
          updated_at: at,
          revision: current.revision + 1,
          // A requested correction is answered by the next edit.
          correction_requested_at: null,
        })
        .where('id', '=', id)
        .where('revision', '=', current.revision)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError(409, 'conflict', `Ticket ${id} changed meanwhile; reload it`);
      const event = await this.addEvent(tx, row, actor, 'updated', changes, null, at);
      return { row, event };
    });
    this.afterChange(row, event);
    return toTicketView(row);
  }

  async setStatus(
    id: number,
    to: TicketStatus,
    actor: Actor,
    note?: string | null,
  ): Promise<TicketView> {
    if (to === 'escalated') return this.escalate(id, actor, note);
    const noteText = text(note, 'note', LIMITS.note);
    return this.mutate(id, actor, (current, at) => {
      const error = transitionError(current.status as TicketStatus, to);
      if (error) throw new AppError(409, 'illegal_transition', error, { from: current.status, to });
      const reopen =
        to === 'in_progress' && (current.status === 'resolved' || current.status === 'closed');
      return {
        kind: reopen ? 'reopened' : 'status_changed',
        note: noteText,
        set: {
          status: to,
          resolved_at: to === 'resolved' ? at : to === 'in_progress' ? null : current.resolved_at,
          closed_at: to === 'closed' ? at : to === 'in_progress' ? null : current.closed_at,
          // Back to the first line from an escalation.
          line: to === 'in_progress' && current.status === 'escalated' ? 'first' : current.line,
        },
      };
    });
  }

  /** Hands the ticket to the second line and starts the callback clock from registration. */
  async escalate(id: number, actor: Actor, note?: string | null): Promise<TicketView> {
    const noteText = text(note, 'note', LIMITS.note);
    const { policy, isOpen } = await this.policy();
    return this.mutate(id, actor, (current, at) => {
      const error = transitionError(current.status as TicketStatus, 'escalated');
      if (error)
        throw new AppError(409, 'illegal_transition', error, {
          from: current.status,
          to: 'escalated',
        });
      const due =
        current.callback_due_at ??
        callbackDueAt(new Date(current.created_at), policy, isOpen).toISOString();
      return {
        kind: 'escalated',
        note: noteText,
        set: { status: 'escalated', line: 'second', escalated_at: at, callback_due_at: due },
      };
    });
  }

  /** One attempt to call the subscriber back; `reached` stops the callback clock. */
  async logCallback(
    id: number,
    attempt: { result: CallbackResult; note?: string | null; callId?: string | null },
    actor: Actor,
  ): Promise<TicketView> {
    const note = text(attempt.note, 'note', LIMITS.note);
    const callId = text(attempt.callId, 'callId', 100);
    return this.mutate(id, actor, async (current, at, tx) => {
      if (current.line !== 'second' && !current.callback_due_at) {
        throw new AppError(
          409,
          'not_escalated',
          `Ticket ${id} is not with the second line; escalate it first`,
        );
      }
      await tx
        .insertInto('callback_attempts')
        .values({
          ticket_id: id,
          at,
          by: actorName(actor),
          result: attempt.result,
          call_id: callId,
          note,
        })
        .execute();
      if (callId) {
        await tx
          .insertInto('ticket_links')
          .values({ ticket_id: id, kind: 'call', ref: callId, created_at: at })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      const done = attempt.result === 'reached' && !current.callback_done_at;
      return {
        kind: 'callback_attempt',
        note,
        extra: [{ field: 'callbackResult', from: null, to: attempt.result }],
        set: done ? { callback_done_at: at } : {},
      };
    });
  }

  async comment(id: number, note: string, actor: Actor): Promise<TicketView> {
    const t = text(note, 'note', LIMITS.note);
    if (!t) throw invalid('note', 'must not be empty');
    return this.mutate(id, actor, () => ({ kind: 'commented', note: t, set: {} }));
  }

  async addLink(
    id: number,
    kind: 'call' | 'chat' | 'recording',
    ref: string,
    actor: Actor,
  ): Promise<TicketView> {
    const r = text(ref, 'ref', 200);
    if (!r) throw invalid('ref', 'must not be empty');
    return this.mutate(id, actor, async (_current, at, tx) => {
      const inserted = await tx
        .insertInto('ticket_links')
        .values({ ticket_id: id, kind, ref: r, created_at: at })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new AppError(409, 'duplicate', `Ticket ${id} is already linked to ${kind} ${r}`);
      }
      return {
        kind: 'linked',
        note: null,
        extra: [{ field: `link.${kind}`, from: null, to: r }],
        set: {},
      };
    });
  }

  /** A supervisor's finding (QA-34): the registration needs correcting; counted per operator. */
  async requestCorrection(id: number, note: string, actor: Actor): Promise<TicketView> {
    const t = text(note, 'note', LIMITS.note);
    if (!t) throw invalid('note', 'say what needs correcting');
    return this.mutate(id, actor, (current, at) => ({
      kind: 'correction_requested',
      note: t,
      set: { correction_requested_at: at, corrections: current.corrections + 1 },
    }));
  }

  /** Registrations per operator, refused saves and tickets sent back for correction (QA-34). */
  async correctionsByOperator(from: string, to: string) {
    const tickets = await this.db
      .selectFrom('tickets')
      .select((eb) => [
        'created_by',
        eb.fn.countAll<number>().as('registered'),
        eb.fn
          .sum<number>(eb.case().when('corrections', '>', 0).then(1).else(0).end())
          .as('corrected'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy('created_by')
      .execute();
    const rejections = await this.db
      .selectFrom('registration_rejections')
      .select((eb) => ['username', eb.fn.countAll<number>().as('n')])
      .where('at', '>=', from)
      .where('at', '<', to)
      .groupBy('username')
      .execute();
    const names = new Set([
      ...tickets.map((t) => t.created_by),
      ...rejections.map((r) => r.username),
    ]);
    return [...names].sort().map((username) => {
      const t = tickets.find((x) => x.created_by === username);
      return {
        username,
        registered: Number(t?.registered ?? 0),
        neededCorrection: Number(t?.corrected ?? 0),
        refusedSaves: Number(rejections.find((r) => r.username === username)?.n ?? 0),
      };
    });
  }

  // ---- Deadlines ----

  /**
   * Raises every breach that is due at `now`: each once, whoever asks and however often, because
   * the guarded update only matches tickets not yet marked.
   */
  async checkDeadlines(): Promise<number> {
    const at = this.deps.now().toISOString();
    const raised: Array<{ kind: 'callback' | 'resolution'; row: TicketRow; event: TicketEvent }> =
      [];
    await this.db.transaction().execute(async (tx) => {
      const callbacks = await tx
        .updateTable('tickets')
        .set({ callback_breached_at: at, updated_at: at })
        .where('callback_due_at', '<=', at)
        .where('callback_done_at', 'is', null)
        .where('callback_breached_at', 'is', null)
        .returningAll()
        .execute();
      for (const row of callbacks) {
        const event = await this.addEvent(
          tx,
          row,
          { kind: 'system' },
          'callback_breached',
          [],
          `The second line did not call back by ${row.callback_due_at}`,
          at,
        );
        raised.push({ kind: 'callback', row, event });
      }
      const complaints = await tx
        .updateTable('tickets')
        .set({ resolution_breached_at: at, updated_at: at })
        .where('resolution_due_at', '<=', at)
        .where('resolved_at', 'is', null)
        .where('resolution_breached_at', 'is', null)
        .where('status', 'not in', ['resolved', 'closed'])
        .returningAll()
        .execute();
      for (const row of complaints) {
        const event = await this.addEvent(
          tx,
          row,
          { kind: 'system' },
          'resolution_overdue',
          [],
          `Not resolved by ${row.resolution_due_at}`,
          at,
        );
        raised.push({ kind: 'resolution', row, event });
      }
    });
    for (const r of raised) {
      const ticket = toTicketView(r.row);
      this.emit('changed', ticket, r.event);
      this.emit('breach', { kind: r.kind, ticket, at });
    }
    return raised.length;
  }

  /** When the next clock runs out (null: none running). */
  async nextDeadline(): Promise<Date | null> {
    const next = await this.store.nextDeadline();
    return next ? new Date(next) : null;
  }

  /** Checks what fell due while the controller was down, then wakes up at each next deadline. */
  async start(): Promise<void> {
    this.running = true;
    await this.wake();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async wake(): Promise<void> {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.checkDeadlines();
    } catch (err) {
      this.deps.logger.error({ err }, 'service desk deadline check failed');
    }
    if (!this.running) return;
    const next = await this.nextDeadline().catch(() => null);
    // At most an hour's sleep: a changed clock setting or a missed wake-up heals within it.
    const delay = next ? Math.max(0, next.getTime() - this.deps.now().getTime()) : 3_600_000;
    this.timer = setTimeout(() => void this.wake(), Math.min(delay, 3_600_000) + 5);
    this.timer.unref();
  }

  // ---- Internals ----

  private afterChange(row: TicketRow, event: TicketEvent): void {
    this.emit('changed', toTicketView(row), event);
    // A new or moved deadline: wake up for it.
    if (this.running && (row.callback_due_at || row.resolution_due_at)) void this.wake();
  }

  /** Loads, applies a change in a transaction with its history event, publishes it. */
  private async mutate(
    id: number,
    actor: Actor,
    change: (
      current: TicketRow,
      at: string,
      tx: Tx,
    ) =>
      | { kind: string; note: string | null; set: Partial<TicketRow>; extra?: FieldChange[] }
      | Promise<{
          kind: string;
          note: string | null;
          set: Partial<TicketRow>;
          extra?: FieldChange[];
        }>,
  ): Promise<TicketView> {
    const at = this.deps.now().toISOString();
    const { row, event } = await this.db.transaction().execute(async (tx) => {
      const current = await this.store.get(id, tx);
      if (!current) throw new AppError(404, 'not_found', `No ticket ${id}`);
      const c = await change(current, at, tx);
      const stateChanges = diffFields(
        Object.fromEntries(Object.keys(c.set).map((k) => [k, current[k as keyof TicketRow]])),
        c.set as Record<string, string | number | null>,
      ).map((ch) => ({ ...ch, field: camel(ch.field) }));
      const row = await tx
        .updateTable('tickets')
        .set({ ...c.set, updated_at: at, revision: current.revision + 1 })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const event = await this.addEvent(
        tx,
        row,
        actor,
        c.kind,
        [...stateChanges, ...(c.extra ?? [])],
        c.note,
        at,
      );
      return { row, event };
    });
    this.afterChange(row, event);
    return toTicketView(row);
  }

  private addEvent(
    tx: Tx,
    row: TicketRow,
    actor: Actor,
    kind: string,
    changes: FieldChange[],
    note: string | null,
    at: string,
  ): Promise<TicketEvent> {
    return this.store.addEvent(
      tx,
      { ticketId: row.id, at, actor: actorName(actor), kind, changes, note },
      (eventId) => ({
        id: eventId,
        type: `ticket.${kind}`,
        at,
        actor: actorName(actor),
        changes,
        note,
        ticket: toTicketView(row),
      }),
    );
  }

  /** The ticket's fields after applying `input` over `current`, validated and normalised. */
  private async checkedFields(
    input: TicketPatch,
    current: TicketRow | null,
  ): Promise<TicketFields> {
    const base: TicketFields = current
      ? fieldsOf(current)
      : {
          type: input.type ?? 'inquiry',
          channel: input.channel ?? 'voice',
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
    const f: TicketFields = { ...base };
    if (input.type !== undefined) f.type = input.type;
    if (input.channel !== undefined) f.channel = input.channel;
    const s = input.subscriber;
    if (s?.name !== undefined)
      f.subscriberName = text(s.name, 'subscriber.name', LIMITS.subscriberName);
    if (s?.account !== undefined) {
      f.subscriberAccount = text(s.account, 'subscriber.account', LIMITS.subscriberAccount);
      if (f.subscriberAccount && !/^[\p{L}\p{N}\-/ ]+$/u.test(f.subscriberAccount)) {
        throw invalid('subscriber.account', 'letters, digits, - and / only');
      }
    }
    if (s?.phone !== undefined) {
      const phone = text(s.phone, 'subscriber.phone', 40);
      try {
        f.subscriberPhone = phone ? normalizePhone(phone) : null;
      } catch (err) {
        if (err instanceof PhoneError) throw invalid('subscriber.phone', err.message);
        throw err;
      }
    }
    if (input.topic !== undefined) f.topic = text(input.topic, 'topic', LIMITS.topic);
    if (input.description !== undefined) {
      f.description = text(input.description, 'description', LIMITS.description);
    }
    if (input.regionId !== undefined) f.regionId = input.regionId || null;
    if (input.serviceId !== undefined) f.serviceId = input.serviceId || null;
    if (input.branchId !== undefined) f.branchId = input.branchId ?? null;
    if (input.assignee !== undefined) f.assignee = input.assignee || null;

    if (f.regionId !== null && f.regionId !== base.regionId) {
      const r = await this.db
        .selectFrom('regions')
        .select('active')
        .where('id', '=', f.regionId)
        .executeTakeFirst();
      if (!r || r.active !== 1)
        throw invalid(
          'regionId',
          `unknown region "${f.regionId}"; GET /api/servicedesk/catalogue lists them`,
        );
    }
    if (f.serviceId !== null && f.serviceId !== base.serviceId) {
      const r = await this.db
        .selectFrom('sd_services')
        .select('active')
        .where('id', '=', f.serviceId)
        .executeTakeFirst();
      if (!r || r.active !== 1)
        throw invalid(
          'serviceId',
          `unknown service "${f.serviceId}"; GET /api/servicedesk/catalogue lists them`,
        );
    }
    if (f.branchId !== null && f.branchId !== base.branchId) {
      const r = await this.db
        .selectFrom('branches')
        .select('id')
        .where('id', '=', f.branchId)
        .executeTakeFirst();
      if (!r) throw invalid('branchId', `unknown branch ${f.branchId}`);
    }
    if (f.assignee !== null && f.assignee !== base.assignee) {
      const u = await this.db
        .selectFrom('users')
        .select('enabled')
        .where('username', '=', f.assignee)
        .executeTakeFirst();
      if (!u || u.enabled !== 1) throw invalid('assignee', `no active user "${f.assignee}"`);
    }
    return f;
  }

  /** Refuses an incomplete registration (QA-34) and counts the refusal against its author. */
  private async requireComplete(f: TicketFields, actor: Actor): Promise<void> {
    const missing = missingFields(f);
    if (missing.length === 0) return;
    if (actor.kind === 'user') {
      await this.db
        .insertInto('registration_rejections')
        .values({
          at: this.deps.now().toISOString(),
          username: actor.username,
          type: f.type,
          missing: JSON.stringify(missing),
        })
        .execute();
    }
    const kind = f.type.replace('_', ' ');
    throw new AppError(400, 'incomplete', `A ${kind} ticket needs: ${missing.join(', ')}`, {
      field: missing[0],
      fields: missing,
    });
  }
}

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

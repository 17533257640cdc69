/**
 * Dispositions (OP-32 item 5): after each call the operator records its result, topic and a
 * comment, and the ticket it led to. Whether one is required before the next call is a setting;
 * the console enforces it by refusing new calls (SIP 486, so the queue offers them to others)
 * until the last call's disposition is saved.
 */
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';

export const DISPOSITION_RESULTS = [
  'resolved',
  'information_given',
  'ticket_created',
  'escalated',
  'callback_needed',
  'wrong_number',
  'silent_call',
  'other',
] as const;
export type DispositionResult = (typeof DISPOSITION_RESULTS)[number];

export const REQUIRED_SETTING_KEY = 'dispositions.required';

export interface DispositionInput {
  result: DispositionResult;
  topic?: string | null;
  comment?: string | null;
  ticketId?: number | null;
}

export interface Disposition {
  callId: string;
  username: string;
  result: DispositionResult;
  topic: string | null;
  comment: string | null;
  ticketId: number | null;
  updatedAt: string;
}

export class Dispositions {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async required(): Promise<boolean> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', REQUIRED_SETTING_KEY)
      .executeTakeFirst();
    return row?.value === 'true';
  }

  async setRequired(required: boolean): Promise<void> {
    const at = this.now().toISOString();
    const value = required ? 'true' : 'false';
    await this.db
      .insertInto('settings')
      .values({ key: REQUIRED_SETTING_KEY, value, updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  /** Saves (or replaces) the operator's disposition of a call. */
  async save(username: string, callId: string, input: DispositionInput): Promise<Disposition> {
    const call = await this.db
      .selectFrom('calls')
      .select('id')
      .where('id', '=', callId)
      .executeTakeFirst();
    if (!call) throw new AppError(404, 'not_found', `No call ${callId}`);
    if (input.ticketId != null) {
      const ticket = await this.db
        .selectFrom('tickets')
        .select('id')
        .where('id', '=', input.ticketId)
        .executeTakeFirst();
      if (!ticket) {
        throw new AppError(400, 'validation', `ticketId: no ticket ${input.ticketId}`, {
          field: 'ticketId',
        });
      }
    }
    // No ticket named: the one registered on this call from its card, if any (the operator's
    // "Ticket" click already linked it to the call; the disposition follows without a second step).
    const ticketId =
      input.ticketId === undefined ? await this.ticketOfCall(callId) : input.ticketId;
    const at = this.now().toISOString();
    const values = {
      result: input.result,
      topic: input.topic?.trim() || null,
      comment: input.comment?.trim() || null,
      ticket_id: ticketId,
      updated_at: at,
    };
    await this.db
      .insertInto('call_dispositions')
      .values({ call_id: callId, username, created_at: at, ...values })
      .onConflict((oc) => oc.columns(['call_id', 'username']).doUpdateSet(values))
      .execute();
    return {
      callId,
      username,
      ...values,
      result: input.result,
      ticketId: values.ticket_id,
      updatedAt: at,
    };
  }

  private async ticketOfCall(callId: string): Promise<number | null> {
    const link = await this.db
      .selectFrom('ticket_links')
      .select('ticket_id')
      .where('kind', '=', 'call')
      .where('ref', '=', callId)
      .orderBy('ticket_id', 'desc')
      .executeTakeFirst();
    return link?.ticket_id ?? null;
  }

  async forCall(callId: string): Promise<Disposition[]> {
    const rows = await this.db
      .selectFrom('call_dispositions')
      .selectAll()
      .where('call_id', '=', callId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      callId: r.call_id,
      username: r.username,
      result: r.result as DispositionResult,
      topic: r.topic,
      comment: r.comment,
      ticketId: r.ticket_id,
      updatedAt: r.updated_at,
    }));
  }
}

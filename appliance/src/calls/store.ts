/** Every query on the `calls` table. */
import type { Db } from '../db/database.js';
import type { CallRow } from '../db/schema.js';
import type { CallFact } from './reducer.js';

export function rowToFact(r: CallRow): CallFact {
  return {
    id: r.id,
    direction: r.direction,
    didRaw: r.did_raw,
    did: r.did,
    service: r.service,
    caller: r.caller,
    callerName: r.caller_name,
    channel: r.channel,
    state: r.state,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    hangupCause: r.hangup_cause,
    endEstimated: r.end_estimated === 1,
  };
}

export class CallStore {
  constructor(private readonly db: Db) {}

  /** Inserts or updates the call's row: the linkedid key makes replays harmless. */
  async upsert(f: CallFact, now: Date): Promise<void> {
    const values = {
      direction: f.direction,
      did_raw: f.didRaw,
      did: f.did,
      service: f.service,
      caller: f.caller,
      caller_name: f.callerName,
      channel: f.channel,
      state: f.state,
      started_at: f.startedAt,
      answered_at: f.answeredAt,
      ended_at: f.endedAt,
      hangup_cause: f.hangupCause,
      end_estimated: f.endEstimated ? 1 : 0,
      updated_at: now.toISOString(),
    };
    await this.db
      .insertInto('calls')
      .values({ id: f.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async get(id: string): Promise<CallFact | undefined> {
    const row = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? rowToFact(row) : undefined;
  }

  async listOpen(): Promise<CallFact[]> {
    const rows = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('state', '!=', 'ended')
      .orderBy('started_at', 'desc')
      .execute();
    return rows.map(rowToFact);
  }

  async listBetween(from: string, to: string, limit: number): Promise<CallFact[]> {
    const rows = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(rowToFact);
  }

  async countSince(since: string): Promise<{ total: number; answered: number }> {
    const row = await this.db
      .selectFrom('calls')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('answered_at').as('answered'),
      ])
      .where('started_at', '>=', since)
      .executeTakeFirstOrThrow();
    return { total: Number(row.total), answered: Number(row.answered) };
  }
}

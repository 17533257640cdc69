/** Every query on the `calls` table. */
import { sqliteOf, type Db } from '../db/database.js';
import type SQLite from 'better-sqlite3';
import type { CallRow, CallsTable } from '../db/schema.js';
import type { Insertable } from 'kysely';
import type { CallFact } from './reducer.js';

type Row = CallRow & { callback_id?: number | null };

export function rowToFact(r: Row): CallFact {
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
    language: r.language,
    ivrPath: r.ivr_path,
    queue: r.queue,
    queueEnteredAt: r.queue_entered_at,
    agent: r.agent,
    agentAnsweredAt: r.agent_answered_at,
    segments: [],
    callbackRequested: r.callback_id !== undefined && r.callback_id !== null,
    recordingPath: r.recording_path,
    outcome: (r.outcome as CallFact['outcome']) ?? null,
    outcomeReason: r.outcome_reason,
    waitSeconds: r.wait_seconds,
    talkSeconds: r.talk_seconds,
  };
}

/** The `calls` columns a fact writes, in a fixed order (the batch statement binds by position). */
const CALL_COLUMNS = [
  'direction',
  'did_raw',
  'did',
  'service',
  'caller',
  'caller_name',
  'channel',
  'state',
  'started_at',
  'answered_at',
  'ended_at',
  'hangup_cause',
  'end_estimated',
  'language',
  'ivr_path',
  'queue',
  'queue_entered_at',
  'agent',
  'agent_answered_at',
  'recording_path',
  'outcome',
  'outcome_reason',
  'wait_seconds',
  'talk_seconds',
  'updated_at',
] as const;

type CallValues = Omit<Insertable<CallsTable>, 'id'>;

function callValues(f: CallFact, updatedAt: string): Required<Omit<CallValues, 'agent_user_id'>> {
  return {
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
    language: f.language,
    ivr_path: f.ivrPath,
    queue: f.queue,
    queue_entered_at: f.queueEnteredAt,
    agent: f.agent,
    agent_answered_at: f.agentAnsweredAt,
    recording_path: f.recordingPath,
    outcome: f.outcome,
    outcome_reason: f.outcomeReason,
    wait_seconds: f.waitSeconds,
    talk_seconds: f.talkSeconds,
    updated_at: updatedAt,
  };
}

export class CallStore {
  constructor(private readonly db: Db) {}

  /** Calls with whether the caller left a callback request (a row in `callbacks`). */
  private withCallback() {
    return this.db
      .selectFrom('calls')
      .leftJoin('callbacks', 'callbacks.call_id', 'calls.id')
      .selectAll('calls')
      .select('callbacks.id as callback_id');
  }

  private statements: { call: SQLite.Statement; segment: SQLite.Statement } | null = null;

  /**
   * Writes many calls in one transaction through prepared statements: the call path's hot write
   * (the service batches a few tens of milliseconds of changes). Same rows as `upsert`.
   */
  async writeBatch(
    items: ReadonlyArray<{ fact: CallFact; segments: boolean }>,
    now: Date,
  ): Promise<void> {
    if (items.length === 0) return;
    const sqlite = sqliteOf(this.db);
    this.statements ??= {
      call: sqlite.prepare(
        `insert into calls (id, ${CALL_COLUMNS.join(', ')}) values (?, ${CALL_COLUMNS.map(() => '?').join(', ')})
         on conflict (id) do update set ${CALL_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      ),
      segment: sqlite.prepare(
        `insert into call_segments (call_id, agent, queue, started_at, ended_at) values (?, ?, ?, ?, ?)
         on conflict (call_id, agent, started_at) do update set ended_at = excluded.ended_at`,
      ),
    };
    const { call, segment } = this.statements;
    const at = now.toISOString();
    const write = sqlite.transaction(() => {
      for (const { fact: f, segments } of items) {
        const values = callValues(f, at);
        call.run(f.id, ...CALL_COLUMNS.map((c) => values[c] ?? null));
        if (!segments) continue;
        for (const s of f.segments) segment.run(f.id, s.agent, s.queue, s.startedAt, s.endedAt);
      }
    });
    // The database has one connection: hold it, so no Kysely transaction is open meanwhile.
    await this.db.connection().execute(async () => write());
  }

  /** Inserts or updates the call's row: the linkedid key makes replays harmless. */
  async upsert(f: CallFact, now: Date, segmentsChanged = true): Promise<void> {
    const values = callValues(f, now.toISOString());
    await this.db
      .insertInto('calls')
      .values({ id: f.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    if (!segmentsChanged) return;
    for (const seg of f.segments) {
      await this.db
        .insertInto('call_segments')
        .values({
          call_id: f.id,
          agent: seg.agent,
          queue: seg.queue,
          started_at: seg.startedAt,
          ended_at: seg.endedAt,
        })
        .onConflict((oc) =>
          oc.columns(['call_id', 'agent', 'started_at']).doUpdateSet({ ended_at: seg.endedAt }),
        )
        .execute();
    }
  }

  async segments(callId: string) {
    return this.db
      .selectFrom('call_segments')
      .select(['agent', 'queue', 'started_at', 'ended_at'])
      .where('call_id', '=', callId)
      .orderBy('started_at')
      .execute();
  }

  async insertCallback(c: {
    callId: string;
    number: string | null;
    language: string | null;
    service: string | null;
    at: string;
  }) {
    await this.db
      .insertInto('callbacks')
      .values({
        call_id: c.callId,
        number: c.number,
        language: c.language,
        service: c.service,
        created_at: c.at,
      })
      .onConflict((oc) => oc.column('call_id').doNothing())
      .execute();
  }

  async callbacks(since: string) {
    return this.db
      .selectFrom('callbacks')
      .selectAll()
      .where('created_at', '>=', since)
      .orderBy('id', 'desc')
      .execute();
  }

  async upsertRecording(r: {
    callId: string;
    path: string;
    sizeBytes: number;
    durationSeconds: number;
    at: string;
  }) {
    await this.db
      .insertInto('recordings')
      .values({
        call_id: r.callId,
        path: r.path,
        size_bytes: r.sizeBytes,
        duration_seconds: r.durationSeconds,
        created_at: r.at,
      })
      .onConflict((oc) =>
        oc
          .column('call_id')
          .doUpdateSet({ size_bytes: r.sizeBytes, duration_seconds: r.durationSeconds }),
      )
      .execute();
  }

  recording(callId: string) {
    return this.db
      .selectFrom('recordings')
      .selectAll()
      .where('call_id', '=', callId)
      .executeTakeFirst();
  }

  /** Facts of the rows, each with its operator segments (one query for all of them). */
  private async facts(rows: Row[]): Promise<CallFact[]> {
    if (rows.length === 0) return [];
    const segments = await this.db
      .selectFrom('call_segments')
      .select(['call_id', 'agent', 'queue', 'started_at', 'ended_at'])
      .where(
        'call_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('started_at')
      .execute();
    const byCall = new Map<string, CallFact['segments']>();
    for (const s of segments) {
      const list = byCall.get(s.call_id) ?? [];
      list.push({ agent: s.agent, queue: s.queue, startedAt: s.started_at, endedAt: s.ended_at });
      byCall.set(s.call_id, list);
    }
    return rows.map((r) => ({ ...rowToFact(r), segments: byCall.get(r.id) ?? [] }));
  }

  async get(id: string): Promise<CallFact | undefined> {
    const row = await this.withCallback().where('calls.id', '=', id).executeTakeFirst();
    return row ? (await this.facts([row]))[0] : undefined;
  }

  async listOpen(): Promise<CallFact[]> {
    const rows = await this.withCallback()
      .where('calls.state', '!=', 'ended')
      .orderBy('calls.started_at', 'desc')
      .execute();
    return this.facts(rows);
  }

  async listBetween(from: string, to: string, limit: number): Promise<CallFact[]> {
    const rows = await this.withCallback()
      .where('calls.started_at', '>=', from)
      .where('calls.started_at', '<', to)
      .orderBy('calls.started_at', 'desc')
      .limit(limit)
      .execute();
    return this.facts(rows);
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

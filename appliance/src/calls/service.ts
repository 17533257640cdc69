/**
 * Call facts as a use case: feeds AMI events through the reducer, keeps the facts of live calls
 * in memory, persists every change and tells listeners. On every (re)connection to Asterisk it
 * reconciles with the live channel list, so a controller restart neither loses nor duplicates
 * a call: calls still up are kept (or added), calls that ended during the gap are closed.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AmiEvent } from '../pbx/ami-link.js';
import {
  CALL_EVENTS,
  durationSeconds,
  eventTime,
  factFromLiveChannel,
  finish,
  parseDuration,
  reduceCall,
  sameFact,
  seconds,
  type CallFact,
  type LiveChannel,
  type ReduceContext,
} from './reducer.js';
import { factFromCdr, groupByCall, parseCdr, parseQueueLog, withQueueLog } from './cdr.js';
import { linksFromChannels } from './segments.js';
import type { CallStore } from './store.js';

interface AppendedLog {
  readNew(): Promise<{ text: string; commit: () => Promise<void> }>;
}

export interface CallView {
  id: string;
  direction: 'inbound' | 'outbound';
  did: string | null;
  service: string | null;
  caller: string | null;
  state: 'ringing' | 'answered' | 'ended';
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  outcome: 'operator' | 'ivr' | 'missed' | null;
  language: string | null;
  ivrPath: string | null;
  queue: string | null;
  agent: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  callbackRequested: boolean;
  recordingPath: string | null;
  /** One per operator stretch of the call, in order; their talk times add up to the call's. */
  segments: Array<{
    agent: string;
    queue: string | null;
    startedAt: string;
    endedAt: string | null;
    talkSeconds: number | null;
  }>;
}

export interface CallSummary {
  activeCalls: number;
  callsToday: number;
  answeredToday: number;
}

/** The part of the PBX link reconciliation needs. */
export interface ChannelSource {
  actionList(message: Record<string, string>, completeEvent: string): Promise<AmiEvent[]>;
  action(message: Record<string, string>): Promise<Record<string, string | undefined>>;
}

export function toView(f: CallFact, now: Date): CallView {
  return {
    id: f.id,
    direction: f.direction,
    did: f.did,
    service: f.service,
    caller: f.caller,
    state: f.state,
    startedAt: f.startedAt,
    answeredAt: f.answeredAt,
    endedAt: f.endedAt,
    durationSeconds: f.state === 'ended' ? durationSeconds(f, now) : null,
    outcome: f.outcome,
    language: f.language,
    ivrPath: f.ivrPath,
    queue: f.queue,
    agent: f.agent,
    waitSeconds: f.waitSeconds,
    talkSeconds: f.talkSeconds,
    callbackRequested: f.callbackRequested,
    recordingPath: f.recordingPath,
    segments: f.segments.map((s) => ({
      agent: s.agent,
      queue: s.queue,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      talkSeconds: s.endedAt ? seconds(s.startedAt, s.endedAt) : null,
    })),
  };
}

interface CallServiceEvents {
  changed: [CallFact];
}

/**
 * How long changes gather before they are written and announced together. A call's events come in
 * bursts (arrival, answer and IVR entry within milliseconds; connect and bridge; hang-up and its
 * handler): one write and one announcement per burst instead of one per event is most of what the
 * controller costs per call, and 40 ms is well inside what a live view can notice.
 */
export const CALL_FLUSH_MS = 40;

export class CallService extends EventEmitter<CallServiceEvents> {
  private readonly live = new Map<string, CallFact>();
  /** Events are applied one at a time so a slow write cannot reorder a call's events. */
  private queue: Promise<void> = Promise.resolve();
  /** Changed facts not written yet (the latest per call), and whether their segments changed. */
  private readonly pending = new Map<string, { fact: CallFact; segments: boolean }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private writes: Promise<void> = Promise.resolve();
  /** Events waiting in `queue` (applied on the slow path). */
  private queued = 0;

  constructor(
    private readonly store: CallStore,
    private readonly ctx: ReduceContext,
    private readonly logger: Logger,
    /** Start of "today" in the call center's time zone, for the summary. */
    private readonly startOfToday: (now: Date) => Date,
    private readonly recordings?: { schedule(callId: string, path: string): void },
    /** Asterisk's CDR and queue_log, to rebuild calls that ended while no AMI session listened. */
    private readonly logs?: { cdr: AppendedLog; queueLog: AppendedLog },
  ) {
    super();
  }

  async loadOpenCalls(): Promise<void> {
    for (const call of await this.store.listOpen()) this.live.set(call.id, call);
  }

  handleEvent(e: AmiEvent): Promise<void> {
    if (!CALL_EVENTS.has(e.Event)) return this.queue;
    // Most events belong to a call already in memory and need no read or write to apply: with
    // nothing queued ahead of them they are applied at once, in order, without a promise each.
    if (this.queued === 0 && this.applyNow(e)) return this.queue;
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.apply(e))
      .catch((err: unknown) => {
        this.logger.error({ err, event: e.Event }, 'failed to record a call event');
      })
      .finally(() => {
        this.queued -= 1;
      });
    return this.queue;
  }

  /** Applies an event of a known call synchronously; false when it needs the slow path. */
  private applyNow(e: AmiEvent): boolean {
    const key = e.Linkedid;
    if (!key) return true;
    const current = this.live.get(key);
    if (!current) return false;
    if (e.Event === 'UserEvent' && e.UserEvent === 'KccCallback') return false;
    const next = reduceCall(current, e, this.ctx);
    if (next && next !== current) this.settle(next, current);
    return true;
  }

  private async apply(e: AmiEvent): Promise<void> {
    const key = e.Linkedid;
    if (!key) return;
    const current = this.live.get(key);
    const next = reduceCall(current, e, this.ctx);
    if (!next || next === current) return;
    if (e.Event === 'UserEvent' && e.UserEvent === 'KccCallback') {
      // The callback request is saved the moment the caller confirms it (SVC-4).
      await this.store.insertCallback({
        callId: next.id,
        number: e.Number || next.caller,
        language: e.Language || next.language,
        service: e.Service || next.service,
        at: eventTime(e, this.ctx),
      });
    }
    // A call that already ended is never reopened by a late or repeated event.
    if (!current && (await this.stored(next.id))?.state === 'ended') return;
    this.settle(next, current);
  }

  /** Keeps the new fact: in memory only when just the links moved, else committed. */
  private settle(next: CallFact, current: CallFact | undefined): void {
    if (next.state === 'ended' && current?.state !== 'ended' && next.recordingPath) {
      this.recordings?.schedule(next.id, next.recordingPath);
    }
    if (current && sameFact(next, current)) {
      this.live.set(next.id, next);
      return;
    }
    this.commit(next, current);
  }

  /** The call as last committed: not yet written, or from the database. */
  private async stored(id: string): Promise<CallFact | undefined> {
    return this.pending.get(id)?.fact ?? (await this.store.get(id));
  }

  /** Takes the change at once in memory; writes and announces it with the next flush. */
  private commit(next: CallFact, previous?: CallFact): void {
    const segmentsChanged =
      !previous || JSON.stringify(previous.segments) !== JSON.stringify(next.segments);
    const waiting = this.pending.get(next.id);
    this.pending.set(next.id, { fact: next, segments: segmentsChanged || !!waiting?.segments });
    if (next.state === 'ended') this.live.delete(next.id);
    else this.live.set(next.id, next);
    this.flushTimer ??= setTimeout(() => void this.flush(), CALL_FLUSH_MS);
  }

  /** Writes the gathered changes in one transaction, then announces each call's latest fact. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0) return this.writes;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.writes = this.writes
      .then(() => this.store.writeBatch(batch, this.ctx.now()))
      .then(
        () => {
          for (const { fact } of batch) this.emit('changed', fact);
        },
        (err: unknown) => {
          this.logger.error({ err, calls: batch.length }, 'failed to write call changes');
        },
      );
    return this.writes;
  }

  /** Brings the facts in line with the channels Asterisk has right now. */
  reconcile(pbx: ChannelSource): Promise<void> {
    // Events that arrive meanwhile wait for it in the queue (no fast path while it runs).
    this.queued += 1;
    const run = this.queue
      .then(() => this.doReconcile(pbx))
      .finally(() => {
        this.queued -= 1;
      });
    // The caller hears of a failure; the queue must not, or the next event would be skipped.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Calls that ended during the gap: from the CDR, with the outcome the dialplan recorded. */
  private async rebuildFromCdr(): Promise<number> {
    if (!this.logs) return 0;
    const cdr = await this.logs.cdr.readNew();
    const queueLog = await this.logs.queueLog.readNew();
    const operators = parseQueueLog(queueLog.text);
    let rebuilt = 0;
    for (const [id, records] of groupByCall(parseCdr(cdr.text))) {
      const stored = await this.stored(id);
      if (stored?.state === 'ended') continue;
      const cdrFact = factFromCdr(records, this.ctx.services);
      if (!cdrFact) continue;
      const fact = withQueueLog(cdrFact, operators.get(id));
      const known = this.live.get(id) ?? stored;
      // What the live view saw first hand (exact start, operator's answer) beats the CDR.
      const merged: CallFact = known
        ? {
            ...fact,
            startedAt: known.startedAt,
            answeredAt: known.answeredAt ?? fact.answeredAt,
            agentAnsweredAt: known.agentAnsweredAt ?? fact.agentAnsweredAt,
            segments: known.segments.length > 0 ? known.segments : fact.segments,
            caller: known.caller ?? fact.caller,
          }
        : fact;
      if (merged.callbackRequested) {
        await this.store.insertCallback({
          callId: id,
          number: merged.caller,
          language: merged.language,
          service: merged.service,
          at: merged.endedAt ?? merged.startedAt,
        });
      }
      this.commit(merged);
      if (merged.recordingPath) this.recordings?.schedule(id, merged.recordingPath);
      rebuilt += 1;
    }
    await cdr.commit();
    await queueLog.commit();
    return rebuilt;
  }

  private async doReconcile(pbx: ChannelSource): Promise<void> {
    await this.flush();
    const rebuilt = await this.rebuildFromCdr();
    const events = await pbx.actionList({ Action: 'CoreShowChannels' }, 'CoreShowChannelsComplete');
    const channels: LiveChannel[] = [];
    for (const e of events) {
      if (e.Event !== 'CoreShowChannel' || !e.Uniqueid || !e.Linkedid) continue;
      const ch: LiveChannel = {
        uniqueid: e.Uniqueid,
        linkedid: e.Linkedid,
        channel: e.Channel ?? '',
        context: e.Context ?? '',
        exten: e.Exten ?? '',
        callerIdNum: e.CallerIDNum ?? null,
        callerIdName: e.CallerIDName ?? null,
        up: e.ChannelState === '6',
        durationSeconds: parseDuration(e.Duration),
        didRaw: null,
        bridge: e.BridgeId || null,
      };
      if (ch.uniqueid === ch.linkedid && !this.live.has(ch.linkedid)) {
        ch.didRaw = await this.channelVar(pbx, ch.channel, 'KCC_DID_RAW');
        ch.service = await this.channelVar(pbx, ch.channel, 'KCC_SERVICE');
      }
      channels.push(ch);
    }
    const liveIds = new Set(channels.map((c) => c.linkedid));
    let added = 0;
    for (const ch of channels) {
      if (this.live.has(ch.linkedid)) continue;
      const fact = factFromLiveChannel(ch, this.ctx);
      if (!fact) continue;
      const stored = await this.stored(fact.id);
      // A row that exists (ended by mistake or not yet loaded) keeps its own start time.
      this.commit(stored ? { ...stored, state: fact.state, endedAt: null } : fact);
      added += 1;
    }
    // Who is bridged with whom was not seen during the gap: take it from the channel list.
    for (const call of this.live.values()) {
      const mine = channels.filter((c) => c.linkedid === call.id);
      if (mine.length > 0)
        this.live.set(call.id, { ...call, links: linksFromChannels(call, mine) });
    }
    let closed = 0;
    for (const call of [...this.live.values()]) {
      if (liveIds.has(call.id)) continue;
      this.commit({
        ...finish(call, this.ctx.now().toISOString(), null),
        endEstimated: true,
      });
      closed += 1;
    }
    await this.flush();
    this.logger.info(
      { live: channels.length, added, closed, rebuilt },
      'reconciled calls with the PBX channel list',
    );
  }

  private async channelVar(
    pbx: ChannelSource,
    channel: string,
    name: string,
  ): Promise<string | null> {
    try {
      const r = await pbx.action({ Action: 'Getvar', Channel: channel, Variable: name });
      return r.Value && r.Value !== '' ? r.Value : null;
    } catch {
      return null;
    }
  }

  callbacks(since: string) {
    return this.store.callbacks(since);
  }

  /** Calls in progress now. */
  get activeCount(): number {
    return this.live.size;
  }

  liveCalls(): CallFact[] {
    return [...this.live.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  async list(from: string, to: string, limit: number): Promise<CallFact[]> {
    await this.flush();
    return this.store.listBetween(from, to, limit);
  }

  async summary(): Promise<CallSummary> {
    await this.flush();
    const now = this.ctx.now();
    const today = await this.store.countSince(this.startOfToday(now).toISOString());
    return {
      activeCalls: this.live.size,
      callsToday: today.total,
      answeredToday: today.answered,
    };
  }

  /** Resolves when every event handed in so far has been applied, written and announced. */
  async idle(): Promise<void> {
    await this.queue;
    await this.flush();
  }
}

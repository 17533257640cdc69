/**
 * Rebuilding calls from Asterisk's CDR (cdr_csv `Master.csv`, GMT times, uniqueid and userfield
 * columns) after the controller was away. The call-end handler of the dialplan writes the call's
 * outcome, language, queue, operator and path into the userfield as `kcc|key=value|…`, so a call
 * that started and ended while nobody listened to AMI is still counted once, with its outcome.
 */
import { parse } from 'csv-parse/sync';
import { normalizeDid } from '../pbx/did.js';
import { NO_PATH_FACTS, seconds, type CallFact } from './reducer.js';

export interface CdrRecord {
  src: string | null;
  channel: string;
  dstChannel: string | null;
  start: string;
  answer: string | null;
  end: string;
  uniqueid: string;
  fields: Record<string, string>;
}

/** Column order of cdr_csv with loguniqueid=yes and loguserfield=yes. */
const COLUMNS = 18;

function gmt(value: string | undefined): string | null {
  if (!value) return null;
  const d = new Date(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Parses complete CSV lines; keeps only caller legs our dialplan tagged. */
export function parseCdr(text: string): CdrRecord[] {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  const out: CdrRecord[] = [];
  for (const r of rows) {
    if (r.length < COLUMNS) continue;
    const userfield = r[17] ?? '';
    if (!userfield.startsWith('kcc|')) continue;
    const fields: Record<string, string> = {};
    for (const part of userfield.split('|').slice(1)) {
      const i = part.indexOf('=');
      if (i > 0) fields[part.slice(0, i)] = part.slice(i + 1);
    }
    const start = gmt(r[9]);
    const end = gmt(r[11]);
    if (!start || !end || !r[16]) continue;
    out.push({
      src: r[1] || null,
      channel: r[5] ?? '',
      dstChannel: r[6] || null,
      start,
      answer: gmt(r[10]),
      end,
      uniqueid: r[16],
      fields,
    });
  }
  return out;
}

/**
 * One call from its CDR records (a queue call leaves one per operator it rang). Times are whole
 * seconds, as the CDR keeps them. The operator's answer time is not in the CDR, so an operator
 * call rebuilt from it has no wait or talk time (unknown, not zero); a missed call waited from
 * the system's answer to the hang-up.
 */
export function factFromCdr(records: CdrRecord[], services: readonly string[]): CallFact | null {
  if (records.length === 0) return null;
  const first = records[0]!;
  const f = records.find((r) => r.fields.outcome) ?? first;
  const start = records.map((r) => r.start).sort()[0]!;
  const end = records
    .map((r) => r.end)
    .sort()
    .at(-1)!;
  const answer =
    records
      .map((r) => r.answer)
      .filter((a): a is string => a !== null)
      .sort()[0] ?? null;
  const outcomeField = f.fields.outcome;
  const outcome = outcomeField === 'operator' || outcomeField === 'ivr' ? outcomeField : 'missed';
  const didRaw = f.fields.did || null;
  const service = f.fields.service && services.includes(f.fields.service) ? f.fields.service : null;
  const agent = outcome === 'operator' ? f.fields.agent || null : null;
  return {
    id: first.uniqueid,
    direction: 'inbound',
    didRaw,
    did: didRaw ? normalizeDid(didRaw) : null,
    service,
    caller: first.src,
    callerName: null,
    channel: first.channel,
    state: 'ended',
    startedAt: start,
    answeredAt: answer,
    endedAt: end,
    hangupCause: null,
    endEstimated: false,
    ...NO_PATH_FACTS,
    language: f.fields.lang || null,
    ivrPath: f.fields.path || null,
    queue: f.fields.queue || null,
    agent,
    recordingPath: f.fields.rec || null,
    callbackRequested: f.fields.callback === '1',
    outcome,
    outcomeReason: f.fields.callback === '1' ? 'callback' : null,
    waitSeconds: outcome === 'missed' && answer ? seconds(answer, end) : null,
    talkSeconds: null,
  };
}

/** Groups records by the caller's uniqueid (the call's linkedid), keeping file order. */
export function groupByCall(records: CdrRecord[]): Map<string, CdrRecord[]> {
  const calls = new Map<string, CdrRecord[]>();
  for (const r of records) {
    const list = calls.get(r.uniqueid) ?? [];
    list.push(r);
    calls.set(r.uniqueid, list);
  }
  return calls;
}

/** What queue_log says of one call: who answered it, when, and how long they talked. */
export interface QueueLogCall {
  queue: string;
  agent: string;
  connectedAt: string;
  talkSeconds: number | null;
}

/**
 * Parses queue_log lines (`epoch|callid|queue|agent|event|data…`, Asterisk's standard format):
 * CONNECT gives the operator and the moment of connection (after the recording notice), and
 * COMPLETECALLER/COMPLETEAGENT the talk time. The first operator of a call is kept.
 */
export function parseQueueLog(text: string): Map<string, QueueLogCall> {
  const calls = new Map<string, QueueLogCall>();
  for (const line of text.split('\n')) {
    const [epoch, callid, queue, agent, event, , data2] = line.split('|');
    if (!epoch || !callid || callid === 'NONE' || !queue || !agent) continue;
    if (event === 'CONNECT' && !calls.has(callid)) {
      const at = Number(epoch);
      if (!Number.isFinite(at)) continue;
      calls.set(callid, {
        queue,
        agent: agent.replace(/^PJSIP\//, ''),
        connectedAt: new Date(at * 1000).toISOString(),
        talkSeconds: null,
      });
    } else if (event === 'COMPLETECALLER' || event === 'COMPLETEAGENT') {
      const c = calls.get(callid);
      const talk = Number(data2);
      if (c && c.talkSeconds === null && Number.isFinite(talk)) c.talkSeconds = talk;
    }
  }
  return calls;
}

/** Adds the operator's side, from queue_log, to an operator call rebuilt from the CDR. */
export function withQueueLog(call: CallFact, q: QueueLogCall | undefined): CallFact {
  if (!q || call.outcome !== 'operator') return call;
  const answered = call.answeredAt ?? call.startedAt;
  return {
    ...call,
    agent: call.agent ?? q.agent,
    queue: call.queue ?? q.queue,
    agentAnsweredAt: q.connectedAt,
    waitSeconds: seconds(answered, q.connectedAt),
    talkSeconds: q.talkSeconds,
    segments: [
      {
        agent: call.agent ?? q.agent,
        queue: q.queue,
        startedAt: q.connectedAt,
        endedAt: call.endedAt,
      },
    ],
  };
}

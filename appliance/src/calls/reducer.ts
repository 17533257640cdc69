/**
 * The pure core of call facts: AMI events in, one `CallFact` per call out. A call is keyed by
 * Asterisk's linkedid, so the caller's channel and every channel it reaches are one call. Only
 * the events of the call's first channel (uniqueid = linkedid) move the call's own clock.
 */
import { normalizeDid, serviceForDid } from '../pbx/did.js';
import type { AmiEvent } from '../pbx/ami-link.js';
import {
  agentCompleted,
  agentConnected,
  bridgeChanged,
  channelCreated,
  channelGone,
  pjsipEndpoint,
} from './segments.js';

/** The context the carrier trunk delivers calls into (base pjsip.conf template). */
export const TRUNK_CONTEXT = 'kcc-from-trunk';
/** The context each service number's call runs in, with the canonical number as extension. */
export const INBOUND_CONTEXT = 'kcc-inbound';
/** The context of the operators' phones: the calls they place start here. */
export const OPERATORS_CONTEXT = 'kcc-operators';

export type CallState = 'ringing' | 'answered' | 'ended';

export interface CallFact {
  id: string;
  direction: 'inbound' | 'outbound';
  didRaw: string | null;
  did: string | null;
  service: string | null;
  caller: string | null;
  callerName: string | null;
  channel: string | null;
  state: CallState;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  hangupCause: number | null;
  endEstimated: boolean;
  /** Caller's language chosen in the IVR (SVC-14). */
  language: string | null;
  /** Visited flow nodes, `/greeting/language/...`. */
  ivrPath: string | null;
  queue: string | null;
  queueEnteredAt: string | null;
  /** The operator (endpoint name) who answered, and when. */
  agent: string | null;
  agentAnsweredAt: string | null;
  /** One per operator who talked on the call. */
  segments: Array<{
    agent: string;
    queue: string | null;
    startedAt: string;
    endedAt: string | null;
  }>;
  callbackRequested: boolean;
  recordingPath: string | null;
  /** Exactly one once the call has ended (RPT-29). */
  outcome: 'operator' | 'ivr' | 'missed' | null;
  outcomeReason: string | null;
  /** From the system's answer to the operator's answer or the caller's hang-up (RPT-29.4). */
  waitSeconds: number | null;
  talkSeconds: number | null;
  /**
   * Who is bridged with whom right now: the working state behind `segments`. Kept in memory
   * with the live call (rebuilt from the channel list after a restart), never stored.
   */
  links?: CallLinks;
}

/** One operator's stretch of a call, from taking it to handing it on or hanging up. */
export type CallSegment = CallFact['segments'][number];

export interface CallLinks {
  /** Every live channel of the call but the caller's own, with the bridge it is in (or null). */
  channels: Readonly<Record<string, string | null>>;
  /** The caller's bridge, or null. */
  callerBridge: string | null;
  /** The operator channel whose segment is open: the operator who has the call now. */
  owner: string | null;
}

/** The parts of a fact that only the inbound call path fills. */
export const NO_PATH_FACTS = {
  language: null,
  ivrPath: null,
  queue: null,
  queueEnteredAt: null,
  agent: null,
  agentAnsweredAt: null,
  segments: [],
  callbackRequested: false,
  recordingPath: null,
  outcome: null,
  outcomeReason: null,
  waitSeconds: null,
  talkSeconds: null,
} as const satisfies Partial<CallFact>;

/** Seconds between two ISO times, to a tenth, never negative. */
export const seconds = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10);

/**
 * Closes a call: its one outcome, wait and talk time, and the open segment. Talk time is the
 * time spent with operators: the sum of the segments (a transferred caller's wait for the next
 * operator is not talk), or from the operator's answer when no segment was seen.
 */
export function finish(call: CallFact, endedAt: string, hangupCause: number | null): CallFact {
  if (call.direction === 'outbound') {
    // An operator's call out: no queue, no outcome (RPT-29 counts inbound calls), talk from
    // the far end's answer.
    return {
      ...call,
      state: 'ended',
      endedAt,
      hangupCause,
      talkSeconds: call.agentAnsweredAt ? seconds(call.agentAnsweredAt, endedAt) : null,
      links: undefined,
    };
  }
  const outcome = call.agent ? 'operator' : (call.outcome ?? 'missed');
  const answered = call.answeredAt ?? call.startedAt;
  const segments = call.segments.map((s) => (s.endedAt ? s : { ...s, endedAt }));
  const talk =
    segments.length > 0
      ? Math.round(segments.reduce((sum, s) => sum + seconds(s.startedAt, s.endedAt!), 0) * 10) / 10
      : call.agentAnsweredAt
        ? seconds(call.agentAnsweredAt, endedAt)
        : null;
  return {
    ...call,
    state: 'ended',
    endedAt,
    hangupCause,
    outcome,
    waitSeconds: outcome === 'ivr' ? null : seconds(answered, call.agentAnsweredAt ?? endedAt),
    talkSeconds: talk,
    segments,
    links: undefined,
  };
}

export interface ReduceContext {
  services: readonly string[];
  /**
   * Whether a PJSIP endpoint is an operator's phone (not a trunk). Without it, every endpoint
   * but the caller's own (the carrier's) counts as an operator.
   */
  isOperator?: (endpoint: string) => boolean;
  /** Used only when an event carries no Timestamp (timestampevents off). */
  now: () => Date;
}

export function eventTime(e: AmiEvent, ctx: ReduceContext): string {
  const ts = Number(e.Timestamp);
  return Number.isFinite(ts) && ts > 0
    ? new Date(ts * 1000).toISOString()
    : ctx.now().toISOString();
}

/** Asterisk fills unknown caller IDs with `<unknown>`; keep them as null. */
function callerId(value: string | undefined): string | null {
  if (!value || value === '<unknown>') return null;
  return value;
}

function withDid(call: CallFact, raw: string, ctx: ReduceContext): CallFact {
  if (!raw || raw === 's') return call;
  return {
    ...call,
    didRaw: raw,
    did: normalizeDid(raw),
    service: call.service ?? serviceForDid(raw, ctx.services),
  };
}

/**
 * Applies one event to the call it belongs to. Returns the new fact, or `current` unchanged
 * (same reference) when the event does not concern the call.
 */
export function reduceCall(
  current: CallFact | undefined,
  e: AmiEvent,
  ctx: ReduceContext,
): CallFact | undefined {
  // An ended call is final: late or repeated events do not change it.
  if (current && (e.Linkedid !== current.id || current.state === 'ended')) return current;
  const next = apply(current, e, ctx);
  return next && current && next.links === current.links && sameFact(next, current)
    ? current
    : next;
}

/** Whether two facts say the same (the in-memory `links` aside): nothing new to store. */
export function sameFact(a: CallFact, b: CallFact): boolean {
  for (const key of Object.keys(a) as Array<keyof CallFact>) {
    if (key === 'links') continue;
    if (key === 'segments') {
      // Unchanged segments keep their array: the string comparison is for rebuilt ones.
      if (a.segments !== b.segments && JSON.stringify(a.segments) !== JSON.stringify(b.segments)) {
        return false;
      }
    } else if (a[key] !== b[key]) return false;
  }
  return true;
}

function apply(
  current: CallFact | undefined,
  e: AmiEvent,
  ctx: ReduceContext,
): CallFact | undefined {
  const own = e.Uniqueid !== undefined && e.Uniqueid === e.Linkedid;
  switch (e.Event) {
    case 'Newchannel': {
      if (current && !own && e.Channel) return channelCreated(current, e.Channel);
      if (!current && own && e.Context === OPERATORS_CONTEXT) return outboundCall(e, ctx);
      if (current || !own || e.Context !== TRUNK_CONTEXT || !e.Linkedid) return current;
      const call: CallFact = {
        id: e.Linkedid,
        direction: 'inbound',
        didRaw: null,
        did: null,
        service: null,
        caller: callerId(e.CallerIDNum),
        callerName: callerId(e.CallerIDName),
        channel: e.Channel ?? null,
        state: 'ringing',
        startedAt: eventTime(e, ctx),
        answeredAt: null,
        endedAt: null,
        hangupCause: null,
        endEstimated: false,
        ...NO_PATH_FACTS,
      };
      return withDid(call, e.Exten ?? '', ctx);
    }
    case 'Newexten': {
      if (!current || !own || current.didRaw !== null) return current;
      if (e.Context !== TRUNK_CONTEXT) return current;
      return withDid(current, e.Extension ?? e.Exten ?? '', ctx);
    }
    case 'UserEvent': {
      if (!current) return current;
      switch (e.UserEvent) {
        case 'KccInbound': {
          const service =
            e.Service && ctx.services.includes(e.Service) ? e.Service : current.service;
          const next = current.didRaw === null && e.Did ? withDid(current, e.Did, ctx) : current;
          return { ...next, service, recordingPath: e.Recording || next.recordingPath };
        }
        case 'KccIvr':
          return {
            ...current,
            ivrPath: e.Path || current.ivrPath,
            language: e.Language || current.language,
          };
        case 'KccCallback':
          return { ...current, callbackRequested: true };
        case 'KccOutbound': {
          const service =
            e.Service && ctx.services.includes(e.Service) ? e.Service : current.service;
          return { ...current, service, recordingPath: e.Recording || current.recordingPath };
        }
        case 'KccCallEnd': {
          const outcome = e.Outcome;
          if (outcome !== 'operator' && outcome !== 'ivr' && outcome !== 'missed') return current;
          return {
            ...current,
            outcome,
            outcomeReason: e.Reason || (current.callbackRequested ? 'callback' : null),
            language: e.Language || current.language,
            ivrPath: e.Path || current.ivrPath,
          };
        }
        default:
          return current;
      }
    }
    case 'QueueCallerJoin': {
      if (!current || !own) return current;
      return { ...current, queue: e.Queue ?? null, queueEnteredAt: eventTime(e, ctx) };
    }
    case 'AgentConnect': {
      // Channel is the caller, DestChannel the operator (PBX-FACTS).
      if (!current || !own) return current;
      const agent = e.MemberName || e.Interface || e.DestChannel || 'unknown';
      const at = eventTime(e, ctx);
      const next = agentConnected(current, e.DestChannel || null, agent, e.Queue ?? null, at);
      return {
        ...next,
        agent: current.agent ?? agent,
        agentAnsweredAt: current.agentAnsweredAt ?? at,
        queue: e.Queue ?? current.queue,
      };
    }
    case 'AgentComplete': {
      if (!current || !own) return current;
      const agent = e.MemberName || e.Interface || e.DestChannel;
      return agent ? agentCompleted(current, agent, eventTime(e, ctx)) : current;
    }
    case 'BridgeEnter':
    case 'BridgeLeave': {
      if (!current || !e.Channel) return current;
      const bridge = e.Event === 'BridgeEnter' ? (e.BridgeUniqueid ?? null) : null;
      return bridgeChanged(current, e.Channel, bridge, own, eventTime(e, ctx), ctx);
    }
    case 'Newstate': {
      if (!current || !own || current.state !== 'ringing') return current;
      if (e.ChannelState !== '6') return current;
      const at = eventTime(e, ctx);
      // An operator's own channel is answered when the far end answers (Dial answers it then).
      const agentAnsweredAt = current.direction === 'outbound' ? at : current.agentAnsweredAt;
      return { ...current, state: 'answered', answeredAt: at, agentAnsweredAt };
    }
    case 'Hangup': {
      if (current && !own && e.Channel) {
        return channelGone(current, e.Channel, eventTime(e, ctx), ctx);
      }
      if (!current || !own || current.state === 'ended') return current;
      const cause = e.Cause ? Number(e.Cause) : NaN;
      return finish(current, eventTime(e, ctx), Number.isFinite(cause) ? cause : null);
    }
    default:
      return current;
  }
}

/**
 * An operator's call to an outside number (digits dialled from their phone). Calls between
 * colleagues (a user name dialled) are not subscriber calls and get no fact.
 */
function outboundCall(e: AmiEvent, ctx: ReduceContext): CallFact | undefined {
  const number = e.Exten ?? '';
  const agent = pjsipEndpoint(e.Channel ?? '');
  if (!e.Linkedid || !/^[0-9]{3,15}$/.test(number) || !agent) return undefined;
  return {
    id: e.Linkedid,
    direction: 'outbound',
    didRaw: null,
    did: null,
    service: null,
    caller: number,
    callerName: null,
    channel: e.Channel ?? null,
    state: 'ringing',
    startedAt: eventTime(e, ctx),
    answeredAt: null,
    endedAt: null,
    hangupCause: null,
    endEstimated: false,
    ...NO_PATH_FACTS,
    agent,
  };
}

/** The events the reducer reads: the event stream can be filtered to these. */
export const CALL_EVENTS = new Set([
  'Newchannel',
  'Newexten',
  'UserEvent',
  'Newstate',
  'Hangup',
  'QueueCallerJoin',
  'AgentConnect',
  'AgentComplete',
  'BridgeEnter',
  'BridgeLeave',
]);

/** Seconds from the start (or answer) to the end, or to `now` for a live call. */
export function durationSeconds(call: CallFact, now: Date): number {
  const end = call.endedAt ? Date.parse(call.endedAt) : now.getTime();
  return Math.max(0, Math.round((end - Date.parse(call.startedAt)) / 1000));
}

/** A live channel as CoreShowChannels lists it, reduced to what reconciliation needs. */
export interface LiveChannel {
  uniqueid: string;
  linkedid: string;
  channel: string;
  context: string;
  exten: string;
  callerIdNum: string | null;
  callerIdName: string | null;
  up: boolean;
  durationSeconds: number;
  didRaw: string | null;
  /** KCC_SERVICE of the channel, when it has reached the service entry. */
  service?: string | null;
  /** The bridge the channel is in, if any. */
  bridge?: string | null;
}

/** Contexts an inbound caller's channel runs in: trunk entry, service entry, call flows. */
export function isInboundContext(context: string): boolean {
  return (
    context === TRUNK_CONTEXT ||
    context === INBOUND_CONTEXT ||
    context.startsWith('kcc-service-') ||
    context.startsWith('kcc-flow-')
  );
}

/**
 * After a gap in the event stream (controller restart, AMI reconnect) builds the facts of calls
 * still up, from the live channel list. Channels are inbound when they run in our inbound
 * contexts; their start is inferred from their age.
 */
export function factFromLiveChannel(ch: LiveChannel, ctx: ReduceContext): CallFact | null {
  if (ch.uniqueid !== ch.linkedid) return null;
  if (!isInboundContext(ch.context)) return null;
  const now = ctx.now();
  const startedAt = new Date(now.getTime() - ch.durationSeconds * 1000).toISOString();
  let call: CallFact = {
    id: ch.linkedid,
    direction: 'inbound',
    didRaw: null,
    did: null,
    service:
      ch.service && ctx.services.includes(ch.service)
        ? ch.service
        : ch.context === INBOUND_CONTEXT && ctx.services.includes(ch.exten)
          ? ch.exten
          : null,
    caller: callerId(ch.callerIdNum ?? undefined),
    callerName: callerId(ch.callerIdName ?? undefined),
    channel: ch.channel,
    state: ch.up ? 'answered' : 'ringing',
    startedAt,
    // The exact answer time is unknown after a gap; the start is the best bound we have.
    answeredAt: ch.up ? startedAt : null,
    endedAt: null,
    hangupCause: null,
    endEstimated: false,
    ...NO_PATH_FACTS,
  };
  if (ch.didRaw) call = withDid(call, ch.didRaw, ctx);
  else if (ch.context === TRUNK_CONTEXT) call = withDid(call, ch.exten, ctx);
  return call;
}

/** Parses `HH:MM:SS` as CoreShowChannel reports a channel's age. */
export function parseDuration(hms: string | undefined): number {
  if (!hms) return 0;
  const parts = hms.split(':').map(Number);
  if (parts.some((p) => !Number.isFinite(p))) return 0;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

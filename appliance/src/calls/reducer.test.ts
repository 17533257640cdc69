import { describe, expect, it } from 'vitest';
import type { AmiEvent } from '../pbx/ami-link.js';
import { SERVICES, TestClock } from '../test-support.js';
import {
  factFromLiveChannel,
  parseDuration,
  reduceCall,
  type CallFact,
  type LiveChannel,
  type ReduceContext,
} from './reducer.js';

const clock = new TestClock('2025-11-25T12:30:00.000Z');
const ctx: ReduceContext = { services: SERVICES, now: clock.now };

const CALL = '1764072000.17';
const AGENT_LEG = '1764072004.18';
const TRUNK_CHANNEL = 'PJSIP/carrier-00000011';
const AGENT_CHANNEL = 'PJSIP/operator1-00000012';

/** What Asterisk sends for one inbound call: carrier leg, dialplan, answer, an agent leg, hang-up. */
function inboundCall(): AmiEvent[] {
  const trunk = { Channel: TRUNK_CHANNEL, Uniqueid: CALL, Linkedid: CALL };
  return [
    {
      Event: 'Newchannel',
      ...trunk,
      ChannelState: '0',
      ChannelStateDesc: 'Down',
      CallerIDNum: '+77011234567',
      CallerIDName: '<unknown>',
      ConnectedLineNum: '<unknown>',
      ConnectedLineName: '<unknown>',
      Language: 'en',
      AccountCode: '',
      Context: 'kcc-from-trunk',
      Exten: '+77272581500',
      Priority: '1',
      Timestamp: '1764072000.123456',
    },
    {
      Event: 'Newexten',
      ...trunk,
      Context: 'kcc-from-trunk',
      Extension: '+77272581500',
      Exten: '+77272581500',
      Priority: '1',
      Application: 'Set',
      AppData: 'KCC_DID_RAW=+77272581500',
      Timestamp: '1764072000.124001',
    },
    {
      Event: 'UserEvent',
      ...trunk,
      UserEvent: 'KccInbound',
      Service: '77272581500',
      Did: '+77272581500',
      Timestamp: '1764072000.130000',
    },
    {
      Event: 'Newexten',
      ...trunk,
      Context: 'kcc-inbound',
      Extension: '77272581500',
      Exten: '77272581500',
      Priority: '1',
      Application: 'Answer',
      Timestamp: '1764072000.131000',
    },
    {
      Event: 'Newstate',
      ...trunk,
      ChannelState: '6',
      ChannelStateDesc: 'Up',
      Timestamp: '1764072003.500000',
    },
    {
      Event: 'Newchannel',
      Channel: AGENT_CHANNEL,
      Uniqueid: AGENT_LEG,
      Linkedid: CALL,
      ChannelState: '0',
      Context: 'kcc-agents',
      Exten: 's',
      CallerIDNum: '+77011234567',
      Timestamp: '1764072004.000000',
    },
    {
      Event: 'Newstate',
      Channel: AGENT_CHANNEL,
      Uniqueid: AGENT_LEG,
      Linkedid: CALL,
      ChannelState: '6',
      ChannelStateDesc: 'Up',
      Timestamp: '1764072006.000000',
    },
    {
      Event: 'Hangup',
      Channel: AGENT_CHANNEL,
      Uniqueid: AGENT_LEG,
      Linkedid: CALL,
      Cause: '16',
      'Cause-txt': 'Normal Clearing',
      Timestamp: '1764072090.000000',
    },
    {
      Event: 'Hangup',
      ...trunk,
      Cause: '16',
      'Cause-txt': 'Normal Clearing',
      Timestamp: '1764072095.750000',
    },
  ];
}

/** Folds events into the call the way the service does, recording each state the call passes. */
function run(
  events: AmiEvent[],
  start?: CallFact,
): { call: CallFact | undefined; states: string[] } {
  let call = start;
  const states: string[] = [];
  for (const e of events) {
    const next = reduceCall(call, e, ctx);
    if (next && next !== call && states[states.length - 1] !== next.state) states.push(next.state);
    call = next;
  }
  return { call, states };
}

describe('reduceCall: an inbound call from the carrier', () => {
  it('becomes one fact with the service, times from the Timestamps and the hang-up cause', () => {
    const { call, states } = run(inboundCall());

    expect(states).toEqual(['ringing', 'answered', 'ended']);
    expect(call).toEqual({
      id: CALL,
      direction: 'inbound',
      didRaw: '+77272581500',
      did: '77272581500',
      service: '77272581500',
      caller: '+77011234567',
      callerName: null,
      channel: TRUNK_CHANNEL,
      state: 'ended',
      startedAt: '2025-11-25T12:00:00.123Z',
      answeredAt: '2025-11-25T12:00:03.500Z',
      endedAt: '2025-11-25T12:01:35.750Z',
      hangupCause: 16,
      endEstimated: false,
    });
  });

  it('is still up after the agent leg hangs up, until the caller hangs up', () => {
    const events = inboundCall();
    const { call } = run(events.slice(0, -1));
    expect(call?.state).toBe('answered');
    expect(call?.endedAt).toBeNull();
  });

  it('ignores the agent leg entirely: it neither starts, answers nor ends the call', () => {
    const events = inboundCall();
    const agentEvents = events.filter((e) => e.Uniqueid === AGENT_LEG);
    expect(agentEvents).toHaveLength(3);
    const ringing = reduceCall(undefined, events[0]!, ctx)!;
    for (const e of agentEvents) expect(reduceCall(ringing, e, ctx)).toBe(ringing);
    expect(reduceCall(undefined, agentEvents[0]!, ctx)).toBeUndefined();
  });

  it('learns the DID from a later Newexten when the carrier delivers to `s`', () => {
    const [newchannel, ...rest] = inboundCall();
    const viaS: AmiEvent = { ...newchannel!, Exten: 's' };
    const started = reduceCall(undefined, viaS, ctx)!;
    expect(started).toMatchObject({ state: 'ringing', didRaw: null, did: null, service: null });

    const sExten: AmiEvent = { ...rest[0]!, Extension: 's', Exten: 's', Application: 'Goto' };
    expect(reduceCall(started, sExten, ctx)).toBe(started);

    const didExten: AmiEvent = { ...rest[0]!, Extension: '87272581500', Exten: '87272581500' };
    expect(reduceCall(started, didExten, ctx)).toMatchObject({
      didRaw: '87272581500',
      did: '77272581500',
      service: '77272581500',
      state: 'ringing',
    });
  });

  it('keeps the first DID it saw: a later Newexten in the trunk context does not replace it', () => {
    const [newchannel, newexten] = inboundCall();
    const started = reduceCall(undefined, newchannel!, ctx)!;
    const other: AmiEvent = { ...newexten!, Extension: '193', Exten: '193' };
    expect(reduceCall(started, other, ctx)).toBe(started);
  });

  it('takes the DID and service from the KccInbound user event when the dialplan saw none', () => {
    const [newchannel, , userEvent] = inboundCall();
    const started = reduceCall(undefined, { ...newchannel!, Exten: 's' }, ctx)!;
    const next = reduceCall(
      started,
      { ...userEvent!, Did: '88000800193', Service: '88000800193' },
      ctx,
    );
    expect(next).toMatchObject({
      didRaw: '88000800193',
      did: '88000800193',
      service: '88000800193',
    });
  });

  it('ignores a KccInbound service that is not one of ours', () => {
    const [newchannel, , userEvent] = inboundCall();
    const started = reduceCall(undefined, newchannel!, ctx)!;
    expect(reduceCall(started, { ...userEvent!, Service: '999' }, ctx)).toBe(started);
  });

  it('keeps a number that is not a service as DID without a service', () => {
    const [newchannel] = inboundCall();
    const call = reduceCall(undefined, { ...newchannel!, Exten: '+77272581599' }, ctx);
    expect(call).toMatchObject({ didRaw: '+77272581599', did: '77272581599', service: null });
  });

  it('falls back to the clock for events without a Timestamp', () => {
    const [newchannel] = inboundCall();
    const { Timestamp: _ts, ...noTimestamp } = newchannel!;
    const call = reduceCall(undefined, noTimestamp as AmiEvent, ctx);
    expect(call?.startedAt).toBe('2025-11-25T12:30:00.000Z');
  });

  it('records a hang-up that carries no cause as null', () => {
    const events = inboundCall();
    const last = events[events.length - 1]!;
    const { Cause: _cause, ...noCause } = last;
    const { call } = run([...events.slice(0, -1), noCause as AmiEvent]);
    expect(call?.state).toBe('ended');
    expect(call?.hangupCause).toBeNull();
  });

  it('ends a call that was never answered without an answer time', () => {
    const events = inboundCall();
    const { call, states } = run([events[0]!, events[events.length - 1]!]);
    expect(states).toEqual(['ringing', 'ended']);
    expect(call?.answeredAt).toBeNull();
    expect(call?.endedAt).toBe('2025-11-25T12:01:35.750Z');
  });
});

describe('reduceCall: events that do not concern the call', () => {
  const events = inboundCall();
  const ringing = reduceCall(undefined, events[0]!, ctx)!;
  const answered = run(events.slice(0, 5)).call!;
  const ended = run(events).call!;

  it('does not start a call for outbound or internal channels', () => {
    for (const context of ['kcc-agents', 'kcc-outbound', 'default']) {
      expect(reduceCall(undefined, { ...events[0]!, Context: context }, ctx)).toBeUndefined();
    }
  });

  it('returns the same fact for events of another call', () => {
    const other = '1764072100.40';
    for (const e of events) {
      const foreign: AmiEvent = { ...e, Uniqueid: other, Linkedid: other };
      expect(reduceCall(ringing, foreign, ctx)).toBe(ringing);
      expect(reduceCall(answered, foreign, ctx)).toBe(answered);
    }
  });

  it('returns the same fact for events it does not read', () => {
    const base = { Channel: TRUNK_CHANNEL, Uniqueid: CALL, Linkedid: CALL };
    const unrelated: AmiEvent[] = [
      { Event: 'VarSet', ...base, Variable: 'KCC_DID_RAW', Value: '193' },
      { Event: 'Newstate', ...base, ChannelState: '5', ChannelStateDesc: 'Ringing' },
      { Event: 'UserEvent', ...base, UserEvent: 'SomethingElse', Service: '193' },
      { Event: 'Newexten', ...base, Context: 'kcc-inbound', Exten: '193', Extension: '193' },
      { Event: 'Newchannel', ...base, Context: 'kcc-from-trunk', Exten: '193' },
    ];
    for (const e of unrelated) expect(reduceCall(ringing, e, ctx)).toBe(ringing);
  });

  it('does not answer twice or end twice', () => {
    expect(reduceCall(answered, events[4]!, ctx)).toBe(answered);
    expect(reduceCall(ended, events[events.length - 1]!, ctx)).toBe(ended);
  });
});

describe('factFromLiveChannel', () => {
  const channel: LiveChannel = {
    uniqueid: CALL,
    linkedid: CALL,
    channel: TRUNK_CHANNEL,
    context: 'kcc-from-trunk',
    exten: '+77272581500',
    callerIdNum: '+77011234567',
    callerIdName: '<unknown>',
    up: false,
    durationSeconds: 42,
    didRaw: null,
  };

  it('rebuilds a ringing call in the trunk context with its start inferred from its age', () => {
    expect(factFromLiveChannel(channel, ctx)).toEqual({
      id: CALL,
      direction: 'inbound',
      didRaw: '+77272581500',
      did: '77272581500',
      service: '77272581500',
      caller: '+77011234567',
      callerName: null,
      channel: TRUNK_CHANNEL,
      state: 'ringing',
      startedAt: '2025-11-25T12:29:18.000Z',
      answeredAt: null,
      endedAt: null,
      hangupCause: null,
      endEstimated: false,
    });
  });

  it('rebuilds an answered call in the inbound context; the answer time is bounded by the start', () => {
    const fact = factFromLiveChannel(
      { ...channel, context: 'kcc-inbound', exten: '193', up: true, durationSeconds: 3600 },
      ctx,
    );
    expect(fact).toMatchObject({
      service: '193',
      didRaw: null,
      state: 'answered',
      startedAt: '2025-11-25T11:30:00.000Z',
      answeredAt: '2025-11-25T11:30:00.000Z',
    });
  });

  it('prefers the DID the dialplan stored on the channel', () => {
    const fact = factFromLiveChannel(
      { ...channel, context: 'kcc-inbound', exten: 'menu', didRaw: '8 8000 800 193' },
      ctx,
    );
    expect(fact).toMatchObject({
      didRaw: '8 8000 800 193',
      did: '88000800193',
      service: '88000800193',
    });
  });

  it('skips secondary legs and channels outside the inbound contexts', () => {
    expect(factFromLiveChannel({ ...channel, uniqueid: AGENT_LEG }, ctx)).toBeNull();
    expect(factFromLiveChannel({ ...channel, context: 'kcc-agents' }, ctx)).toBeNull();
  });
});

describe('parseDuration', () => {
  it.each([
    ['00:00:00', 0],
    ['00:00:42', 42],
    ['00:01:05', 65],
    ['01:00:00', 3600],
    ['26:03:04', 26 * 3600 + 3 * 60 + 4],
  ])('%s is %i seconds', (hms, seconds) => {
    expect(parseDuration(hms)).toBe(seconds);
  });

  it('reads a missing or garbled duration as 0', () => {
    expect(parseDuration(undefined)).toBe(0);
    expect(parseDuration('')).toBe(0);
    expect(parseDuration('ab:cd:ef')).toBe(0);
    expect(parseDuration('00:xx:10')).toBe(0);
  });
});

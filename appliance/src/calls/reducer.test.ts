import { describe, expect, it } from 'vitest';
import type { AmiEvent } from '../pbx/ami-link.js';
import { SERVICES, TestClock } from '../test-support.js';
import {
  factFromLiveChannel,
  parseDuration,
  reduceCall,
  sameFact,
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
      language: null,
      ivrPath: null,
      queue: null,
      queueEnteredAt: null,
      agent: null,
      agentAnsweredAt: null,
      segments: [],
      callbackRequested: false,
      recordingPath: null,
      // No AgentConnect: no operator took the call, so it is missed, and the caller waited from
      // the answer to the hang-up.
      outcome: 'missed',
      outcomeReason: null,
      waitSeconds: 92.3,
      talkSeconds: null,
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
    // The leg is tracked in memory (links) but nothing stored about the call changes.
    for (const e of agentEvents) expect(sameFact(reduceCall(ringing, e, ctx)!, ringing)).toBe(true);
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
    // Never answered: missed, and the wait runs from the start of the call.
    expect(call?.outcome).toBe('missed');
    expect(call?.waitSeconds).toBe(95.6);
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

/** 2025-11-25T12:00:00Z as an AMI Timestamp. */
const NOON = 1764072000;
const at = (offset: number) => (NOON + offset).toFixed(6);
const iso = (offset: number) => new Date((NOON + offset) * 1000).toISOString();

const OPERATOR_LEG = '1764072017.18';
const OPERATOR_CHANNEL = 'PJSIP/operator1-00000003';
const RECORDING = '2025/11/25/1764072000.17.wav';

/**
 * The events of an inbound call on the flow path, as Asterisk sends them for the caller's
 * channel (and, where marked, the operator's). Offsets are seconds after noon.
 */
const path = {
  caller: { Channel: TRUNK_CHANNEL, Uniqueid: CALL, Linkedid: CALL },

  /** The carrier delivers the call to 8 800 080 0193; the service entry answers at +1 s. */
  arrive(): AmiEvent[] {
    const own = path.caller;
    return [
      {
        Event: 'Newchannel',
        ...own,
        ChannelState: '0',
        ChannelStateDesc: 'Down',
        CallerIDNum: '+77011234567',
        CallerIDName: '<unknown>',
        Context: 'kcc-from-trunk',
        Exten: '88000800193',
        Priority: '1',
        Timestamp: at(0.5),
      },
      {
        Event: 'Newexten',
        ...own,
        Context: 'kcc-from-trunk',
        Extension: '88000800193',
        Exten: '88000800193',
        Priority: '1',
        Application: 'Set',
        AppData: 'KCC_DID_RAW=88000800193',
        Timestamp: at(0.501),
      },
      {
        Event: 'Newexten',
        ...own,
        Context: 'kcc-inbound',
        Extension: '88000800193',
        Exten: '88000800193',
        Priority: '5',
        Application: 'Answer',
        AppData: '',
        Timestamp: at(0.95),
      },
      {
        Event: 'Newstate',
        ...own,
        ChannelState: '6',
        ChannelStateDesc: 'Up',
        Timestamp: at(1),
      },
      {
        Event: 'UserEvent',
        ...own,
        UserEvent: 'KccInbound',
        Service: '88000800193',
        Did: '88000800193',
        Recording: RECORDING,
        Timestamp: at(1.02),
      },
    ];
  },

  ivr(offset: number, node: string, type: string, language: string, nodes: string): AmiEvent {
    return {
      Event: 'UserEvent',
      ...path.caller,
      UserEvent: 'KccIvr',
      Node: node,
      Type: type,
      Language: language,
      Path: nodes,
      Timestamp: at(offset),
    };
  },

  /** Greeting, then the language menu; the caller presses 2 (Russian) at +7.2 s. */
  chooseRussian(): AmiEvent[] {
    return [
      path.ivr(1.05, 'greeting', 'play', 'kk', '/greeting'),
      path.ivr(4.1, 'language', 'language', 'kk', '/greeting/language'),
      path.ivr(7.2, 'language', 'language', 'ru', '/greeting/language'),
    ];
  },

  /** Working hours, then the main menu; the caller presses 0 for an operator at +10.5 s. */
  toQueue(): AmiEvent[] {
    return [
      path.ivr(7.21, 'hours', 'hours', 'ru', '/greeting/language/hours'),
      path.ivr(7.23, 'main_menu', 'menu', 'ru', '/greeting/language/hours/main_menu'),
      path.ivr(10.5, 'operator', 'queue', 'ru', '/greeting/language/hours/main_menu/operator'),
      {
        Event: 'QueueCallerJoin',
        ...path.caller,
        CallerIDNum: '+77011234567',
        CallerIDName: '<unknown>',
        Queue: 'ru',
        Position: '1',
        Count: '1',
        Timestamp: at(10.52),
      },
    ];
  },

  /** operator1 answers from the `ru` queue at `offset`, after `holdTime` seconds in the queue. */
  agentConnect(offset: number, holdTime: number): AmiEvent[] {
    return [
      {
        Event: 'Newchannel',
        Channel: OPERATOR_CHANNEL,
        Uniqueid: OPERATOR_LEG,
        Linkedid: CALL,
        ChannelState: '0',
        Context: 'kcc-agents',
        Exten: 's',
        CallerIDNum: '+77011234567',
        Timestamp: at(offset - 4),
      },
      {
        Event: 'Newstate',
        Channel: OPERATOR_CHANNEL,
        Uniqueid: OPERATOR_LEG,
        Linkedid: CALL,
        ChannelState: '6',
        ChannelStateDesc: 'Up',
        Timestamp: at(offset - 0.01),
      },
      {
        Event: 'AgentConnect',
        ...path.caller,
        DestChannel: OPERATOR_CHANNEL,
        DestUniqueid: OPERATOR_LEG,
        DestLinkedid: CALL,
        Queue: 'ru',
        MemberName: 'operator1',
        Interface: 'PJSIP/operator1',
        HoldTime: String(holdTime),
        RingTime: '4',
        Timestamp: at(offset),
      },
    ];
  },

  agentComplete(offset: number, holdTime: number, talkTime: number): AmiEvent {
    return {
      Event: 'AgentComplete',
      ...path.caller,
      DestChannel: OPERATOR_CHANNEL,
      DestUniqueid: OPERATOR_LEG,
      DestLinkedid: CALL,
      Queue: 'ru',
      MemberName: 'operator1',
      Interface: 'PJSIP/operator1',
      HoldTime: String(holdTime),
      TalkTime: String(talkTime),
      Reason: 'caller',
      Timestamp: at(offset),
    };
  },

  callback(offset: number): AmiEvent {
    return {
      Event: 'UserEvent',
      ...path.caller,
      UserEvent: 'KccCallback',
      Number: '+77011234567',
      Language: 'ru',
      Service: '88000800193',
      Timestamp: at(offset),
    };
  },

  /** The hang-up handler's event; `Reason` is empty unless the flow set one. */
  callEnd(offset: number, outcome: string, nodes: string, reason = ''): AmiEvent {
    return {
      Event: 'UserEvent',
      ...path.caller,
      UserEvent: 'KccCallEnd',
      Outcome: outcome,
      Reason: reason,
      Language: 'ru',
      Path: nodes,
      Timestamp: at(offset),
    };
  },

  hangup(offset: number): AmiEvent {
    return {
      Event: 'Hangup',
      ...path.caller,
      Cause: '16',
      'Cause-txt': 'Normal Clearing',
      Timestamp: at(offset),
    };
  },

  operatorHangup(offset: number): AmiEvent {
    return {
      Event: 'Hangup',
      Channel: OPERATOR_CHANNEL,
      Uniqueid: OPERATOR_LEG,
      Linkedid: CALL,
      Cause: '16',
      'Cause-txt': 'Normal Clearing',
      Timestamp: at(offset),
    };
  },
};

const TO_OPERATOR = '/greeting/language/hours/main_menu/operator';

describe('reduceCall: the inbound call path', () => {
  it('takes the recording path from KccInbound', () => {
    const { call } = run(path.arrive());
    expect(call).toMatchObject({
      state: 'answered',
      service: '88000800193',
      did: '88000800193',
      answeredAt: iso(1),
      recordingPath: RECORDING,
      outcome: null,
    });
  });

  it('records the language the caller chose and the nodes visited', () => {
    const { call } = run([...path.arrive(), ...path.chooseRussian()]);
    expect(call).toMatchObject({
      state: 'answered',
      language: 'ru',
      ivrPath: '/greeting/language',
      outcome: null,
      waitSeconds: null,
    });
  });

  it('keeps the language and path when a KccIvr carries neither', () => {
    const { call } = run([
      ...path.arrive(),
      ...path.chooseRussian(),
      path.ivr(7.21, 'hours', 'hours', '', ''),
    ]);
    expect(call).toMatchObject({ language: 'ru', ivrPath: '/greeting/language' });
  });

  it('answered by an operator: outcome operator, wait to the operator, talk to the hang-up', () => {
    // The system answers at +1 s, operator1 at +21.5 s; the caller hangs up 60 s later.
    const { call, states } = run([
      ...path.arrive(),
      ...path.chooseRussian(),
      ...path.toQueue(),
      ...path.agentConnect(21.5, 11),
      path.agentComplete(81.5, 11, 60),
      path.callEnd(81.5003, 'operator', TO_OPERATOR),
      path.operatorHangup(81.5006),
      path.hangup(81.5009),
    ]);

    expect(states).toEqual(['ringing', 'answered', 'ended']);
    expect(call).toEqual({
      id: CALL,
      direction: 'inbound',
      didRaw: '88000800193',
      did: '88000800193',
      service: '88000800193',
      caller: '+77011234567',
      callerName: null,
      channel: TRUNK_CHANNEL,
      state: 'ended',
      startedAt: iso(0.5),
      answeredAt: iso(1),
      endedAt: '2025-11-25T12:01:21.500Z',
      hangupCause: 16,
      endEstimated: false,
      language: 'ru',
      ivrPath: TO_OPERATOR,
      queue: 'ru',
      queueEnteredAt: iso(10.52),
      agent: 'operator1',
      agentAnsweredAt: iso(21.5),
      segments: [
        {
          agent: 'operator1',
          queue: 'ru',
          startedAt: iso(21.5),
          endedAt: '2025-11-25T12:01:21.500Z',
        },
      ],
      callbackRequested: false,
      recordingPath: RECORDING,
      outcome: 'operator',
      outcomeReason: null,
      waitSeconds: 20.5,
      talkSeconds: 60,
    });
  });

  it('closes an operator segment still open at the hang-up (AgentComplete not seen)', () => {
    const { call } = run([
      ...path.arrive(),
      ...path.toQueue(),
      ...path.agentConnect(21.5, 11),
      path.hangup(81.5),
    ]);
    expect(call?.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(81.5) },
    ]);
    expect(call).toMatchObject({ outcome: 'operator', waitSeconds: 20.5, talkSeconds: 60 });
  });

  it('closes the segment when the operator hangs up first; the call ends with the caller', () => {
    const { call } = run([
      ...path.arrive(),
      ...path.toQueue(),
      ...path.agentConnect(21.5, 11),
      path.agentComplete(70, 11, 48.5),
      path.operatorHangup(70.01),
      path.hangup(72),
    ]);
    expect(call?.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(70) },
    ]);
    // Talk time is the operator's segment: the caller's last 2 s alone are not conversation.
    expect(call).toMatchObject({ outcome: 'operator', endedAt: iso(72), talkSeconds: 48.5 });
  });

  it('after hours, the message heard in the IVR: outcome ivr, no wait', () => {
    const afterHours = '/greeting/language/hours/after_hours';
    const { call } = run([
      ...path.arrive(),
      ...path.chooseRussian(),
      path.ivr(7.21, 'hours', 'hours', 'ru', '/greeting/language/hours'),
      path.ivr(7.23, 'after_hours', 'play', 'ru', afterHours),
      path.ivr(19.8, 'offer_callback', 'callback', 'ru', `${afterHours}/offer_callback`),
      path.callEnd(26, 'ivr', `${afterHours}/offer_callback`),
      path.hangup(26.01),
    ]);
    expect(call).toMatchObject({
      state: 'ended',
      endedAt: iso(26.01),
      outcome: 'ivr',
      outcomeReason: null,
      callbackRequested: false,
      waitSeconds: null,
      talkSeconds: null,
      agent: null,
      ivrPath: `${afterHours}/offer_callback`,
      language: 'ru',
    });
  });

  it('after hours with a callback left: outcome ivr, callback requested, reason callback', () => {
    const offer = '/greeting/language/hours/after_hours/offer_callback';
    const { call } = run([
      ...path.arrive(),
      ...path.chooseRussian(),
      path.ivr(19.8, 'offer_callback', 'callback', 'ru', offer),
      path.callback(23.4),
      path.callEnd(27, 'ivr', offer),
      path.hangup(27.01),
    ]);
    expect(call).toMatchObject({
      state: 'ended',
      outcome: 'ivr',
      outcomeReason: 'callback',
      callbackRequested: true,
      waitSeconds: null,
      talkSeconds: null,
    });
  });

  it('keeps the reason the flow gave over the callback', () => {
    const offer = '/greeting/language/hours/after_hours/offer_callback';
    const { call } = run([
      ...path.arrive(),
      path.callback(23.4),
      path.callEnd(27, 'ivr', offer, 'after_hours'),
      path.hangup(27.01),
    ]);
    expect(call).toMatchObject({ outcome: 'ivr', outcomeReason: 'after_hours' });
  });

  it('hang-up in the menu without a KccCallEnd: missed, waited from the answer', () => {
    const { call } = run([
      ...path.arrive(),
      ...path.chooseRussian(),
      path.ivr(7.23, 'main_menu', 'menu', 'ru', '/greeting/language/hours/main_menu'),
      path.hangup(9.5),
    ]);
    expect(call).toMatchObject({
      state: 'ended',
      outcome: 'missed',
      outcomeReason: null,
      ivrPath: '/greeting/language/hours/main_menu',
      queue: null,
      agent: null,
      waitSeconds: 8.5,
      talkSeconds: null,
      segments: [],
    });
  });

  it.each([
    ['with', true],
    ['without', false],
  ])(
    'hang-up in the queue (%s a KccCallEnd): missed, queue kept, waited from the answer',
    (_label, withCallEnd) => {
      const { call } = run([
        ...path.arrive(),
        ...path.chooseRussian(),
        ...path.toQueue(),
        {
          Event: 'QueueCallerAbandon',
          ...path.caller,
          Queue: 'ru',
          Position: '1',
          OriginalPosition: '1',
          HoldTime: '35',
          Timestamp: at(45.5),
        },
        ...(withCallEnd ? [path.callEnd(45.51, 'missed', TO_OPERATOR)] : []),
        path.hangup(45.52),
      ]);
      expect(call).toMatchObject({
        state: 'ended',
        outcome: 'missed',
        queue: 'ru',
        queueEnteredAt: iso(10.52),
        agent: null,
        agentAnsweredAt: null,
        waitSeconds: 44.5,
        talkSeconds: null,
        segments: [],
      });
    },
  );

  it('an operator who answered wins over a KccCallEnd that says missed', () => {
    const { call } = run([
      ...path.arrive(),
      ...path.toQueue(),
      ...path.agentConnect(21.5, 11),
      path.callEnd(81.5, 'missed', TO_OPERATOR),
      path.hangup(81.51),
    ]);
    expect(call).toMatchObject({
      outcome: 'operator',
      agent: 'operator1',
      waitSeconds: 20.5,
      talkSeconds: 60,
    });
  });

  it('ignores a KccCallEnd with an outcome it does not know', () => {
    const { call: answered } = run(path.arrive());
    for (const outcome of ['', 'answered', 'OPERATOR']) {
      expect(reduceCall(answered, path.callEnd(30, outcome, '/greeting'), ctx)).toBe(answered);
    }
  });

  it('path events of another call do not touch this one', () => {
    const { call: answered } = run(path.arrive());
    const other = '1764072100.40';
    const foreign: AmiEvent[] = [
      ...path.chooseRussian(),
      ...path.toQueue(),
      ...path.agentConnect(21.5, 11),
      path.agentComplete(81.5, 11, 60),
      path.callback(30),
      path.callEnd(81.5, 'operator', TO_OPERATOR),
    ].map((e) => ({ ...e, Uniqueid: other, Linkedid: other }));
    for (const e of foreign) expect(reduceCall(answered, e, ctx)).toBe(answered);
  });

  it('queue events of the operator leg do not move the call', () => {
    const { call: queued } = run([...path.arrive(), ...path.toQueue()]);
    const onOperatorLeg = [...path.agentConnect(21.5, 11), path.agentComplete(81.5, 11, 60)]
      .filter((e) => e.Event.startsWith('Agent'))
      .map((e) => ({ ...e, Uniqueid: OPERATOR_LEG }));
    for (const e of onOperatorLeg) expect(reduceCall(queued, e, ctx)).toBe(queued);
  });
});

/** A small seeded generator (mulberry32), so a failing batch can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OUTCOMES = ['operator', 'ivr', 'missed'] as const;
const isOutcome = (v: string): v is (typeof OUTCOMES)[number] =>
  (OUTCOMES as readonly string[]).includes(v);

interface GeneratedCall {
  id: string;
  events: AmiEvent[];
  hungUp: boolean;
  agentConnects: number;
  /** The operator of the first AgentConnect: the call's agent. */
  firstAgent: string | null;
  /** The last KccCallEnd outcome the reducer should accept, if any. */
  callEnd: (typeof OUTCOMES)[number] | null;
}

/** One call's events in the order Asterisk would send them, with random path and losses. */
function generateCall(rnd: () => number, n: number): GeneratedCall {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const start = NOON + n * 13;
  const id = `${start}.${n + 1}`;
  const number = `+7701${String(1000000 + n)}`;
  const caller = {
    Channel: `PJSIP/carrier-${n.toString(16).padStart(8, '0')}`,
    Uniqueid: id,
    Linkedid: id,
  };
  let t = start + rnd();
  const ts = () => {
    t += rnd() * 20;
    return t.toFixed(6);
  };
  const events: AmiEvent[] = [
    {
      Event: 'Newchannel',
      ...caller,
      ChannelState: '0',
      CallerIDNum: number,
      Context: 'kcc-from-trunk',
      Exten: pick(['88000800193', '193', '+77272581500', 's']),
      Timestamp: ts(),
    },
  ];
  if (rnd() < 0.9) {
    events.push({ Event: 'Newstate', ...caller, ChannelState: '6', Timestamp: ts() });
  }
  if (rnd() < 0.9) {
    events.push({
      Event: 'UserEvent',
      ...caller,
      UserEvent: 'KccInbound',
      Service: '88000800193',
      Did: '88000800193',
      Recording: rnd() < 0.8 ? `2025/11/25/${id}.wav` : '',
      Timestamp: ts(),
    });
  }
  let nodes = '';
  for (let i = Math.floor(rnd() * 5); i > 0; i -= 1) {
    nodes += `/${pick(['greeting', 'language', 'hours', 'main_menu', 'after_hours'])}`;
    events.push({
      Event: 'UserEvent',
      ...caller,
      UserEvent: 'KccIvr',
      Language: pick(['kk', 'ru', '']),
      Path: nodes,
      Timestamp: ts(),
    });
  }
  const branch = pick(['menu', 'queue', 'operator', 'two_operators', 'ivr', 'callback'] as const);
  let agentConnects = 0;
  let firstAgent: string | null = null;
  let flowOutcome: (typeof OUTCOMES)[number] = 'missed';
  if (branch === 'queue' || branch === 'operator' || branch === 'two_operators') {
    events.push({
      Event: 'QueueCallerJoin',
      ...caller,
      Queue: pick(['kk', 'ru']),
      Timestamp: ts(),
    });
  }
  if (branch === 'operator' || branch === 'two_operators') {
    const operators = branch === 'two_operators' ? ['operator1', 'operator2'] : ['operator1'];
    for (const [k, member] of operators.entries()) {
      const leg = {
        Channel: `PJSIP/${member}-${(n * 2 + k).toString(16).padStart(8, '0')}`,
        Uniqueid: `${start + 5 + k}.${n * 2 + k + 1001}`,
        Linkedid: id,
      };
      events.push({
        Event: 'Newchannel',
        ...leg,
        Context: 'kcc-agents',
        Exten: 's',
        Timestamp: ts(),
      });
      events.push({ Event: 'Newstate', ...leg, ChannelState: '6', Timestamp: ts() });
      const agent = {
        ...caller,
        DestChannel: leg.Channel,
        DestUniqueid: leg.Uniqueid,
        Queue: 'ru',
        MemberName: member,
        Interface: `PJSIP/${member}`,
      };
      // AMI events can be lost over a reconnect; the call must still get one outcome.
      if (rnd() < 0.9) {
        events.push({ Event: 'AgentConnect', ...agent, HoldTime: '12', Timestamp: ts() });
        agentConnects += 1;
        firstAgent ??= member;
        flowOutcome = 'operator';
      }
      if (rnd() < 0.7) {
        events.push({ Event: 'AgentComplete', ...agent, TalkTime: '30', Timestamp: ts() });
      }
      if (rnd() < 0.8) events.push({ Event: 'Hangup', ...leg, Cause: '16', Timestamp: ts() });
    }
  }
  if (branch === 'ivr' || branch === 'callback') flowOutcome = 'ivr';
  if (branch === 'callback') {
    events.push({
      Event: 'UserEvent',
      ...caller,
      UserEvent: 'KccCallback',
      Number: number,
      Timestamp: ts(),
    });
  }
  let callEnd: GeneratedCall['callEnd'] = null;
  if (rnd() < 0.75) {
    // Mostly what the hang-up handler would say, sometimes anything at all.
    const outcome = rnd() < 0.7 ? flowOutcome : pick([...OUTCOMES, '', 'ANSWERED']);
    if (isOutcome(outcome)) callEnd = outcome;
    events.push({
      Event: 'UserEvent',
      ...caller,
      UserEvent: 'KccCallEnd',
      Outcome: outcome,
      Reason: rnd() < 0.1 ? 'after_hours' : '',
      Path: nodes,
      Timestamp: ts(),
    });
  }
  const hungUp = rnd() < 0.9;
  if (hungUp)
    events.push({ Event: 'Hangup', ...caller, Cause: pick(['16', '17', '']), Timestamp: ts() });
  return { id, events, hungUp, agentConnects, firstAgent, callEnd };
}

describe('reduceCall: a randomized batch of calls', () => {
  const SEED = 20251125;
  const rnd = random(SEED);
  const calls = Array.from({ length: 200 }, (_, n) => generateCall(rnd, n));

  // Interleave the calls as the PBX would, keeping each call's own order.
  const stream: AmiEvent[] = [];
  const cursors = calls.map(() => 0);
  for (let left = calls.reduce((sum, c) => sum + c.events.length, 0); left > 0; left -= 1) {
    let i = Math.floor(rnd() * calls.length);
    while (cursors[i]! >= calls[i]!.events.length) i = (i + 1) % calls.length;
    stream.push(calls[i]!.events[cursors[i]!]!);
    cursors[i]! += 1;
  }
  const facts = new Map<string, CallFact>();
  for (const e of stream) {
    const next = reduceCall(facts.get(e.Linkedid ?? ''), e, ctx);
    if (next) facts.set(next.id, next);
  }

  it('covers every outcome and both ended and live calls', () => {
    const ended = [...facts.values()].filter((f) => f.state === 'ended');
    expect(facts.size).toBe(200);
    expect(ended.length).toBe(calls.filter((c) => c.hungUp).length);
    expect(ended.length).toBeLessThan(200);
    for (const o of OUTCOMES) expect(ended.some((f) => f.outcome === o)).toBe(true);
  });

  it('gives every ended call exactly one outcome, consistent with what happened', () => {
    for (const c of calls) {
      const f = facts.get(c.id)!;
      const where = `seed ${SEED}, call ${c.id}`;
      if (!c.hungUp) {
        expect(f.state, where).not.toBe('ended');
        expect(f.endedAt, where).toBeNull();
        continue;
      }
      expect(f.state, where).toBe('ended');
      expect(
        OUTCOMES.filter((o) => o === f.outcome),
        where,
      ).toHaveLength(1);
      const expected = c.agentConnects > 0 ? 'operator' : (c.callEnd ?? 'missed');
      expect(f.outcome, where).toBe(expected);
      expect(f.agent, where).toBe(c.firstAgent);
      expect(f.waitSeconds === null, where).toBe(f.outcome === 'ivr');
      expect(f.talkSeconds === null, where).toBe(f.agentAnsweredAt === null);
      expect(f.segments, where).toHaveLength(c.agentConnects);
      for (const s of f.segments) expect(s.endedAt, where).not.toBeNull();
      const callSeconds = (Date.parse(f.endedAt!) - Date.parse(f.startedAt)) / 1000;
      for (const v of [f.waitSeconds, f.talkSeconds]) {
        if (v !== null) {
          expect(v, where).toBeGreaterThanOrEqual(0);
          expect(v, where).toBeLessThanOrEqual(callSeconds + 0.05);
        }
      }
    }
  });

  it('reaches the same facts whether a call is reduced alone or among the others', () => {
    for (const c of calls) {
      expect(run(c.events).call, `seed ${SEED}, call ${c.id}`).toEqual(facts.get(c.id));
    }
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

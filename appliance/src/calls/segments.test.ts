import { describe, expect, it } from 'vitest';
import type { AmiEvent } from '../pbx/ami-link.js';
import { SERVICES, TestClock } from '../test-support.js';
import { reduceCall, type CallFact, type ReduceContext } from './reducer.js';
import { connectedOperators, linksFromChannels, pjsipEndpoint } from './segments.js';

const clock = new TestClock('2025-11-25T12:30:00.000Z');
const PHONES = new Set(['operator1', 'operator3']);
const ctx: ReduceContext = {
  services: SERVICES,
  now: clock.now,
  isOperator: (endpoint) => PHONES.has(endpoint),
};

const CALL = '1764072000.17';
const T0 = 1764072000;
const at = (s: number) => (T0 + s).toFixed(6);
const iso = (s: number) => new Date((T0 + s) * 1000).toISOString();

const CALLER = 'PJSIP/carrier-00000001';
const OP1 = 'PJSIP/operator1-00000002';
const OP3 = 'PJSIP/operator3-00000005';
const BRANCH = 'PJSIP/carrier-00000006';
const LOCAL1 = 'Local/op3@kcc-transfer-00000001;1';
const LOCAL2 = 'Local/op3@kcc-transfer-00000001;2';

let leg = 10;
function ev(event: string, channel: string, s: number, extra: Record<string, string> = {}) {
  const uniqueid = channel === CALLER ? CALL : `${T0}.${(leg += 1)}`;
  return {
    Event: event,
    Channel: channel,
    Uniqueid: uniqueid,
    Linkedid: CALL,
    Timestamp: at(s),
    ...extra,
  } as AmiEvent;
}
const enter = (channel: string, bridge: string, s: number) =>
  ev('BridgeEnter', channel, s, { BridgeUniqueid: bridge });
const leave = (channel: string, bridge: string, s: number) =>
  ev('BridgeLeave', channel, s, { BridgeUniqueid: bridge });
const created = (channel: string, s: number) => ev('Newchannel', channel, s, { Context: 'x' });
const hangup = (channel: string, s: number) => ev('Hangup', channel, s, { Cause: '16' });

/** Caller in the queue; operator1 answers at +21.5 s and is bridged with the caller. */
function answeredByOperator1(): AmiEvent[] {
  return [
    {
      Event: 'Newchannel',
      Channel: CALLER,
      Uniqueid: CALL,
      Linkedid: CALL,
      Context: 'kcc-from-trunk',
      Exten: '193',
      CallerIDNum: '+77011234567',
      Timestamp: at(0),
    },
    { ...ev('Newstate', CALLER, 1), ChannelState: '6' },
    { ...ev('QueueCallerJoin', CALLER, 8), Queue: 'ru' },
    created(OP1, 15),
    {
      ...ev('AgentConnect', CALLER, 21.5),
      DestChannel: OP1,
      Queue: 'ru',
      MemberName: 'operator1',
      Interface: 'PJSIP/operator1',
    },
    enter(CALLER, 'B1', 21.6),
    enter(OP1, 'B1', 21.6),
  ];
}

function reduce(events: AmiEvent[]): CallFact {
  let call: CallFact | undefined;
  for (const e of events) call = reduceCall(call, e, ctx);
  return call!;
}

const agentComplete = (s: number) => ({
  ...ev('AgentComplete', CALLER, s),
  DestChannel: OP1,
  Queue: 'ru',
  MemberName: 'operator1',
  Interface: 'PJSIP/operator1',
});

describe('operator segments from bridge events', () => {
  it('names the endpoint of a PJSIP channel', () => {
    expect(pjsipEndpoint('PJSIP/operator1-0000001a')).toBe('operator1');
    expect(pjsipEndpoint('PJSIP/op-er-ator-0000001a')).toBe('op-er-ator');
    expect(pjsipEndpoint('Local/op3@kcc-transfer-00000001;1')).toBeNull();
  });

  it('one operator: one segment from the answer to the hang-up', () => {
    const call = reduce([
      ...answeredByOperator1(),
      leave(CALLER, 'B1', 60),
      leave(OP1, 'B1', 60),
      agentComplete(60),
      hangup(OP1, 60.01),
      hangup(CALLER, 60.02),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(60) },
    ]);
    expect(call.talkSeconds).toBe(38.5);
  });

  it('blind transfer: the first operator to the transfer, the second from their answer', () => {
    const call = reduce([
      ...answeredByOperator1(),
      // operator1 transfers at +40 s; the caller rings operator3, who answers at +45 s.
      leave(CALLER, 'B1', 40),
      agentComplete(40),
      leave(OP1, 'B1', 40),
      hangup(OP1, 40.01),
      created(OP3, 40.1),
      enter(CALLER, 'B2', 45),
      enter(OP3, 'B2', 45),
      leave(OP3, 'B2', 70),
      leave(CALLER, 'B2', 70),
      hangup(OP3, 70),
      hangup(CALLER, 70.1),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(40) },
      { agent: 'operator3', queue: null, startedAt: iso(45), endedAt: iso(70) },
    ]);
    expect(call).toMatchObject({ agent: 'operator1', outcome: 'operator', talkSeconds: 43.5 });
  });

  it('blind transfer to a branch: the outside number is no operator segment', () => {
    const call = reduce([
      ...answeredByOperator1(),
      leave(CALLER, 'B1', 40),
      agentComplete(40),
      hangup(OP1, 40.01),
      created(BRANCH, 40.1),
      enter(CALLER, 'B2', 44),
      enter(BRANCH, 'B2', 44),
      hangup(BRANCH, 90),
      hangup(CALLER, 90.1),
    ]);
    expect(call.segments.map((s) => s.agent)).toEqual(['operator1']);
  });

  const consult = (): AmiEvent[] => [
    ...answeredByOperator1(),
    // operator1 consults operator3 through a Local pair; the caller waits alone on music.
    leave(OP1, 'B1', 30),
    created(LOCAL1, 30),
    created(LOCAL2, 30),
    enter(OP1, 'B3', 30.1),
    enter(LOCAL1, 'B3', 30.1),
    created(OP3, 30.2),
    enter(LOCAL2, 'B4', 35),
    enter(OP3, 'B4', 35),
  ];

  it('attended transfer: the consultation is the first operator’s; the segments add up', () => {
    const call = reduce([
      ...consult(),
      // Complete: operator1 hangs up; the caller's bridge takes the consultation's Local leg.
      leave(OP1, 'B3', 50),
      leave(LOCAL1, 'B3', 50),
      enter(LOCAL1, 'B1', 50),
      agentComplete(50),
      hangup(OP1, 50.02),
      leave(OP3, 'B4', 80),
      hangup(OP3, 80),
      hangup(LOCAL2, 80.01),
      hangup(LOCAL1, 80.01),
      hangup(CALLER, 80.02),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(50) },
      { agent: 'operator3', queue: null, startedAt: iso(50), endedAt: iso(80) },
    ]);
    // The conversation ran from operator1's answer to operator3's hang-up: 58.5 s.
    expect(call.talkSeconds).toBe(58.5);
  });

  it('attended transfer after the Local pair is optimised away: the same segments', () => {
    const call = reduce([
      ...consult(),
      leave(OP1, 'B3', 50),
      agentComplete(50),
      hangup(OP1, 50.01),
      leave(OP3, 'B4', 50.2),
      enter(OP3, 'B1', 50.2),
      hangup(LOCAL1, 50.3),
      hangup(LOCAL2, 50.3),
      hangup(OP3, 80),
      hangup(CALLER, 80.02),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(50) },
      { agent: 'operator3', queue: null, startedAt: iso(50.2), endedAt: iso(80) },
    ]);
  });

  it('attended transfer cancelled: operator1 keeps the call, operator3 gets no segment', () => {
    const call = reduce([
      ...consult(),
      hangup(OP3, 40),
      hangup(LOCAL2, 40),
      leave(LOCAL1, 'B3', 40),
      hangup(LOCAL1, 40),
      leave(OP1, 'B3', 40.1),
      enter(OP1, 'B1', 40.1),
      leave(OP1, 'B1', 60),
      agentComplete(60),
      hangup(OP1, 60.01),
      hangup(CALLER, 60.02),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(60) },
    ]);
  });

  it('conference: the operator who added a colleague keeps the call until they drop out', () => {
    const call = reduce([
      ...answeredByOperator1(),
      // Both moved into a conference bridge, then operator3 joins it.
      leave(CALLER, 'B1', 30),
      leave(OP1, 'B1', 30),
      enter(CALLER, 'C1', 30.5),
      enter(OP1, 'C1', 30.5),
      created(OP3, 31),
      enter(OP3, 'C1', 35),
      // operator1 drops out; operator3 goes on with the caller.
      leave(OP1, 'C1', 50),
      hangup(OP1, 50.01),
      hangup(OP3, 70),
      hangup(CALLER, 70.1),
    ]);
    expect(call.segments).toEqual([
      { agent: 'operator1', queue: 'ru', startedAt: iso(21.5), endedAt: iso(50) },
      { agent: 'operator3', queue: null, startedAt: iso(50), endedAt: iso(70) },
    ]);
  });

  it('without a list of phones, every endpoint but the carrier’s is an operator', () => {
    const bare: ReduceContext = { services: SERVICES, now: clock.now };
    let call: CallFact | undefined;
    for (const e of [...answeredByOperator1(), created(BRANCH, 30)]) {
      call = reduceCall(call, e, bare);
    }
    call = reduceCall(call, enter(BRANCH, 'B1', 31), bare);
    expect(connectedOperators(call!, bare)).toEqual([OP1]);
  });

  it('rebuilds who is bridged with whom from the channel list after a gap', () => {
    const call = reduce(consult());
    const links = linksFromChannels({ ...call, links: undefined }, [
      { channel: CALLER, uniqueid: CALL, bridge: 'B1' },
      { channel: OP1, uniqueid: 'x1', bridge: 'B3' },
      { channel: LOCAL1, uniqueid: 'x2', bridge: 'B3' },
      { channel: LOCAL2, uniqueid: 'x3', bridge: 'B4' },
      { channel: OP3, uniqueid: 'x4', bridge: 'B4' },
    ]);
    expect(links).toEqual({
      callerBridge: 'B1',
      owner: OP1,
      channels: { [OP1]: 'B3', [LOCAL1]: 'B3', [LOCAL2]: 'B4', [OP3]: 'B4' },
    });
    // Completing after the gap still hands the call over.
    let after: CallFact | undefined = { ...call, links };
    for (const e of [
      leave(OP1, 'B3', 50),
      leave(LOCAL1, 'B3', 50),
      enter(LOCAL1, 'B1', 50),
      hangup(OP1, 50.02),
      hangup(OP3, 80),
      hangup(CALLER, 80.1),
    ]) {
      after = reduceCall(after, e, ctx);
    }
    expect(after!.segments.map((s) => [s.agent, s.startedAt, s.endedAt])).toEqual([
      ['operator1', iso(21.5), iso(50)],
      ['operator3', iso(50), iso(80)],
    ]);
  });
});

describe('an operator’s call out', () => {
  const OUT = '1764072100.30';
  const PHONE = 'PJSIP/operator1-00000030';
  const out = (event: string, s: number, extra: Record<string, string> = {}): AmiEvent =>
    ({
      Event: event,
      Channel: PHONE,
      Uniqueid: OUT,
      Linkedid: OUT,
      Timestamp: at(s),
      ...extra,
    }) as AmiEvent;

  it('is one outbound fact: number called, operator, service, answer, talk; no outcome', () => {
    let call: CallFact | undefined;
    for (const e of [
      out('Newchannel', 0, { Context: 'kcc-operators', Exten: '87011234567' }),
      out('UserEvent', 0.1, {
        UserEvent: 'KccOutbound',
        Number: '87011234567',
        Service: '193',
        Recording: '2025/11/25/1764072100.30.wav',
      }),
      out('Newstate', 6, { ChannelState: '6' }),
      out('Hangup', 66, { Cause: '16' }),
    ]) {
      call = reduceCall(call, e, ctx);
    }
    expect(call).toMatchObject({
      direction: 'outbound',
      caller: '87011234567',
      agent: 'operator1',
      service: '193',
      state: 'ended',
      answeredAt: iso(6),
      agentAnsweredAt: iso(6),
      talkSeconds: 60,
      outcome: null,
      waitSeconds: null,
      recordingPath: '2025/11/25/1764072100.30.wav',
    });
  });

  it('a call between colleagues is no subscriber call', () => {
    expect(
      reduceCall(
        undefined,
        out('Newchannel', 0, { Context: 'kcc-operators', Exten: 'operator3' }),
        ctx,
      ),
    ).toBeUndefined();
  });
});

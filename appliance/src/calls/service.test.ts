import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../db/database.js';
import type { AmiEvent } from '../pbx/ami-link.js';
import { memoryDb, SERVICES, silentLogger, TestClock } from '../test-support.js';
import { startOfDay } from '../time.js';
import type { CallFact } from './reducer.js';
import { CALL_FLUSH_MS, CallService, type ChannelSource } from './service.js';
import { CallStore } from './store.js';

/** The events of one inbound call to 193, answered, then hung up by the caller. */
function callEvents(
  id: string,
  startEpoch: number,
  opts: { answer?: boolean; hangup?: boolean } = {},
): AmiEvent[] {
  const own = { Channel: `PJSIP/carrier-${id}`, Uniqueid: id, Linkedid: id };
  const ts = (offset: number) => (startEpoch + offset).toFixed(6);
  const events: AmiEvent[] = [
    {
      Event: 'Newchannel',
      ...own,
      ChannelState: '0',
      CallerIDNum: '87011234567',
      CallerIDName: 'Aliya',
      Context: 'kcc-from-trunk',
      Exten: '193',
      Timestamp: ts(0),
    },
    {
      Event: 'UserEvent',
      ...own,
      UserEvent: 'KccInbound',
      Service: '193',
      Did: '193',
      Timestamp: ts(0.01),
    },
  ];
  if (opts.answer !== false) {
    events.push({
      Event: 'Newstate',
      ...own,
      ChannelState: '6',
      ChannelStateDesc: 'Up',
      Timestamp: ts(2),
    });
  }
  if (opts.hangup !== false) {
    events.push({ Event: 'Hangup', ...own, Cause: '16', Timestamp: ts(65) });
  }
  return events;
}

/** 2025-11-25T12:00:00Z */
const NOON = 1764072000;

/** A PBX that lists the given channels and answers Getvar from a table. */
class FakePbx implements ChannelSource {
  readonly getvars: Array<Record<string, string>> = [];
  constructor(
    public channels: AmiEvent[],
    private readonly vars: Record<string, string> = {},
  ) {}

  async actionList(message: Record<string, string>, completeEvent: string): Promise<AmiEvent[]> {
    expect(message.Action).toBe('CoreShowChannels');
    return [...this.channels, { Event: completeEvent, ListItems: String(this.channels.length) }];
  }

  async action(message: Record<string, string>): Promise<Record<string, string | undefined>> {
    this.getvars.push(message);
    const value = this.vars[`${message.Channel}/${message.Variable}`];
    return { Response: 'Success', Variable: message.Variable, Value: value ?? '' };
  }
}

function coreShowChannel(c: {
  uniqueid: string;
  linkedid?: string;
  channel: string;
  context: string;
  exten: string;
  up: boolean;
  duration: string;
}): AmiEvent {
  return {
    Event: 'CoreShowChannel',
    Channel: c.channel,
    Uniqueid: c.uniqueid,
    Linkedid: c.linkedid ?? c.uniqueid,
    Context: c.context,
    Extension: c.exten,
    Exten: c.exten,
    ChannelState: c.up ? '6' : '4',
    ChannelStateDesc: c.up ? 'Up' : 'Ring',
    CallerIDNum: '87019876543',
    CallerIDName: '<unknown>',
    Duration: c.duration,
  };
}

async function rows(db: Db) {
  return db.selectFrom('calls').selectAll().orderBy('started_at').execute();
}

describe('CallService', () => {
  let db: Db;
  let store: CallStore;
  let clock: TestClock;
  let service: CallService;
  let changed: CallFact[];

  beforeEach(async () => {
    db = await memoryDb();
    store = new CallStore(db);
    clock = new TestClock('2025-11-25T12:05:00.000Z');
    service = new CallService(store, { services: SERVICES, now: clock.now }, silentLogger, (at) =>
      startOfDay(at),
    );
    changed = [];
    service.on('changed', (f) => changed.push(f));
  });

  async function feed(events: AmiEvent[]): Promise<void> {
    for (const e of events) void service.handleEvent(e);
    await service.idle();
  }

  it('records a call as one row through ringing, answer and hang-up', async () => {
    const events = callEvents('1764072000.1', NOON);
    await feed(events.slice(0, 2));
    expect(await rows(db)).toMatchObject([
      { id: '1764072000.1', state: 'ringing', service: '193', did: '193' },
    ]);
    expect(service.liveCalls().map((c) => c.id)).toEqual(['1764072000.1']);

    await feed(events.slice(2));
    const all = await rows(db);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      id: '1764072000.1',
      direction: 'inbound',
      service: '193',
      caller: '87011234567',
      caller_name: 'Aliya',
      state: 'ended',
      started_at: '2025-11-25T12:00:00.000Z',
      answered_at: '2025-11-25T12:00:02.000Z',
      ended_at: '2025-11-25T12:01:05.000Z',
      hangup_cause: 16,
      end_estimated: 0,
      // Ended without an operator: missed, after 63 s from the answer to the hang-up.
      outcome: 'missed',
      outcome_reason: null,
      agent: null,
      agent_answered_at: null,
      queue: null,
      wait_seconds: 63,
      talk_seconds: null,
    });
    expect(service.liveCalls()).toEqual([]);
    // Changes that arrive together are written and announced once, with the latest fact: the
    // answer and the hang-up came in one burst here.
    expect(changed.map((c) => c.state)).toEqual(['ringing', 'ended']);
  });

  it('writes a burst of changes by itself within the flush interval, once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const events = callEvents('1764072000.1', NOON, { hangup: false });
      for (const e of events) await service.handleEvent(e);
      // Applied in memory at once, not written yet.
      expect(service.liveCalls().map((c) => c.state)).toEqual(['answered']);
      expect(await rows(db)).toEqual([]);
      await vi.advanceTimersByTimeAsync(CALL_FLUSH_MS);
      expect((await rows(db)).map((r) => r.state)).toEqual(['answered']);
      expect(changed.map((c) => c.state)).toEqual(['answered']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores events it does not read and events of outbound channels', async () => {
    await feed([
      { Event: 'FullyBooted', Status: 'Fully Booted' },
      { Event: 'PeerStatus', Peer: 'PJSIP/operator1', PeerStatus: 'Reachable' },
      {
        Event: 'Newchannel',
        Channel: 'PJSIP/operator1-0000001',
        Uniqueid: '1764072001.5',
        Linkedid: '1764072001.5',
        Context: 'kcc-agents',
        Exten: '87011234567',
      },
    ]);
    expect(await rows(db)).toEqual([]);
    expect(changed).toEqual([]);
  });

  it('replaying the same events leaves one row with the same content', async () => {
    const events = callEvents('1764072000.1', NOON);
    await feed(events);
    const once = await rows(db);
    clock.advance(10_000);
    await feed(events);
    const twice = await rows(db);
    expect(twice).toHaveLength(1);
    expect({ ...twice[0], updated_at: null }).toEqual({ ...once[0], updated_at: null });
  });

  it('keeps concurrent calls apart', async () => {
    const a = callEvents('1764072000.1', NOON);
    const b = callEvents('1764072001.2', NOON + 1, { hangup: false });
    // Interleaved as the PBX would send them.
    await feed([a[0]!, b[0]!, a[1]!, b[1]!, a[2]!, b[2]!, a[3]!]);
    expect((await rows(db)).map((r) => [r.id, r.state])).toEqual([
      ['1764072000.1', 'ended'],
      ['1764072001.2', 'answered'],
    ]);
    expect(service.liveCalls().map((c) => c.id)).toEqual(['1764072001.2']);
  });

  it('saves a callback request once, even when its event is replayed', async () => {
    const id = '1764072000.1';
    const own = { Channel: `PJSIP/carrier-${id}`, Uniqueid: id, Linkedid: id };
    const [newchannel, inbound, answer, hangup] = callEvents(id, NOON);
    const offer: AmiEvent = {
      Event: 'UserEvent',
      ...own,
      UserEvent: 'KccIvr',
      Node: 'offer_callback',
      Type: 'callback',
      Language: 'ru',
      Path: '/greeting/language/hours/after_hours/offer_callback',
      Timestamp: (NOON + 20).toFixed(6),
    };
    const callback: AmiEvent = {
      Event: 'UserEvent',
      ...own,
      UserEvent: 'KccCallback',
      Number: '87011234567',
      Language: 'ru',
      Service: '193',
      Timestamp: (NOON + 30.5).toFixed(6),
    };
    const callEnd: AmiEvent = {
      Event: 'UserEvent',
      ...own,
      UserEvent: 'KccCallEnd',
      Outcome: 'ivr',
      Reason: '',
      Language: 'ru',
      Path: '/greeting/language/hours/after_hours/offer_callback',
      Timestamp: (NOON + 64.9).toFixed(6),
    };
    const expected = [
      {
        id: expect.any(Number),
        call_id: id,
        number: '87011234567',
        language: 'ru',
        service: '193',
        status: 'new',
        created_at: '2025-11-25T12:00:30.500Z',
      },
    ];

    await feed([newchannel!, inbound!, answer!, offer, callback]);
    expect(await store.callbacks('2025-11-25T00:00:00.000Z')).toEqual(expected);

    // The same event again while the call is up, then the rest of the call, then all of it.
    await feed([callback]);
    await feed([callEnd, hangup!]);
    await feed([newchannel!, inbound!, answer!, offer, callback, callEnd, hangup!]);
    expect(await store.callbacks('2025-11-25T00:00:00.000Z')).toEqual(expected);
    expect(await store.callbacks('2025-11-25T12:00:31.000Z')).toEqual([]);
    expect(await rows(db)).toMatchObject([
      { id, state: 'ended', outcome: 'ivr', outcome_reason: 'callback', wait_seconds: null },
    ]);
  });

  describe('reconcile', () => {
    it('ends a call that is open in the database but no longer on the PBX, marking the end as estimated', async () => {
      await feed(callEvents('1764072000.1', NOON, { hangup: false }));
      // A controller restart: a new service loads the open calls from the database.
      const restarted = new CallService(
        store,
        { services: SERVICES, now: clock.now },
        silentLogger,
        startOfDay,
      );
      await restarted.loadOpenCalls();
      expect(restarted.liveCalls().map((c) => c.id)).toEqual(['1764072000.1']);

      await restarted.reconcile(new FakePbx([]));

      expect(await rows(db)).toMatchObject([
        {
          id: '1764072000.1',
          state: 'ended',
          ended_at: '2025-11-25T12:05:00.000Z',
          end_estimated: 1,
        },
      ]);
      expect(restarted.liveCalls()).toEqual([]);
    });

    it('adds a live channel the database does not know, once', async () => {
      const pbx = new FakePbx(
        [
          coreShowChannel({
            uniqueid: '1764072240.9',
            channel: 'PJSIP/carrier-00000009',
            context: 'kcc-inbound',
            exten: '77272581500',
            up: true,
            duration: '00:00:42',
          }),
          // The agent leg of the same call.
          coreShowChannel({
            uniqueid: '1764072250.10',
            linkedid: '1764072240.9',
            channel: 'PJSIP/operator1-0000000a',
            context: 'kcc-agents',
            exten: 's',
            up: true,
            duration: '00:00:30',
          }),
        ],
        { 'PJSIP/carrier-00000009/KCC_DID_RAW': '+77272581500' },
      );

      await service.reconcile(pbx);
      await service.reconcile(pbx);

      expect(await rows(db)).toMatchObject([
        {
          id: '1764072240.9',
          state: 'answered',
          service: '77272581500',
          did_raw: '+77272581500',
          did: '77272581500',
          caller: '87019876543',
          caller_name: null,
          started_at: '2025-11-25T12:04:18.000Z',
          ended_at: null,
        },
      ]);
      expect(service.liveCalls().map((c) => c.id)).toEqual(['1764072240.9']);
      // The DID and the service are asked for once, for the caller's channel only.
      expect(pbx.getvars).toEqual([
        { Action: 'Getvar', Channel: 'PJSIP/carrier-00000009', Variable: 'KCC_DID_RAW' },
        { Action: 'Getvar', Channel: 'PJSIP/carrier-00000009', Variable: 'KCC_SERVICE' },
      ]);
      expect(changed).toHaveLength(1);
    });

    it('keeps a call that is both in the database and on the PBX as it is', async () => {
      await feed(callEvents('1764072000.1', NOON, { hangup: false }));
      const before = await rows(db);
      const pbx = new FakePbx([
        coreShowChannel({
          uniqueid: '1764072000.1',
          channel: 'PJSIP/carrier-1764072000.1',
          context: 'kcc-inbound',
          exten: '193',
          up: true,
          duration: '00:05:00',
        }),
      ]);

      await service.reconcile(pbx);

      expect(await rows(db)).toEqual(before);
      expect(service.liveCalls().map((c) => [c.id, c.state])).toEqual([
        ['1764072000.1', 'answered'],
      ]);
      expect(pbx.getvars).toEqual([]);
    });

    it('still records events after a reconciliation that failed', async () => {
      const broken: ChannelSource = {
        actionList: () => Promise.reject(new Error('AMI action CoreShowChannels timed out')),
        action: () => Promise.reject(new Error('not connected')),
      };
      await expect(service.reconcile(broken)).rejects.toThrow('timed out');

      await feed(callEvents('1764072000.1', NOON, { hangup: false }));
      expect(await rows(db)).toHaveLength(1);

      // The next reconciliation runs, too.
      await service.reconcile(new FakePbx([]));
      expect(await rows(db)).toMatchObject([{ state: 'ended', end_estimated: 1 }]);
    });
  });

  describe('operator segments', () => {
    const ID = '1764072000.1';
    const caller = `PJSIP/carrier-${ID}`;
    const op1 = 'PJSIP/operator1-00000002';
    const op3 = 'PJSIP/operator3-00000004';
    const ts = (offset: number) => (NOON + offset).toFixed(6);
    const leg = (channel: string, event: string, offset: number, extra = {}): AmiEvent => ({
      Event: event,
      Channel: channel,
      Uniqueid: channel === caller ? ID : `${channel}.u`,
      Linkedid: ID,
      Timestamp: ts(offset),
      ...extra,
    });
    const answered = (): AmiEvent[] => [
      ...callEvents(ID, NOON, { hangup: false }),
      leg(op1, 'Newchannel', 10),
      {
        ...leg(caller, 'AgentConnect', 12),
        DestChannel: op1,
        Queue: 'kk',
        MemberName: 'operator1',
      },
      leg(caller, 'BridgeEnter', 12.1, { BridgeUniqueid: 'b1' }),
      leg(op1, 'BridgeEnter', 12.1, { BridgeUniqueid: 'b1' }),
    ];
    const segmentRows = () =>
      db
        .selectFrom('call_segments')
        .select(['agent', 'started_at', 'ended_at'])
        .orderBy('started_at')
        .execute();

    it('bridge changes alone are kept in memory: nothing is written or announced', async () => {
      await feed(answered());
      const before = changed.length;
      await feed([
        leg(op1, 'BridgeLeave', 20, { BridgeUniqueid: 'b1' }),
        leg(op1, 'BridgeEnter', 20.5, { BridgeUniqueid: 'b1' }),
      ]);
      expect(changed).toHaveLength(before);
      expect(await segmentRows()).toEqual([
        { agent: 'operator1', started_at: '2025-11-25T12:00:12.000Z', ended_at: null },
      ]);
    });

    it('a transfer completed after a controller restart still hands the call over', async () => {
      await feed(answered());
      // The controller restarts: open calls come back from the database with their segments,
      // who is bridged with whom from the PBX's channel list.
      const restarted = new CallService(
        store,
        { services: SERVICES, now: clock.now },
        silentLogger,
        (at) => startOfDay(at),
      );
      await restarted.loadOpenCalls();
      const row = (channel: string, uniqueid: string, bridge: string) => ({
        ...coreShowChannel({
          uniqueid,
          linkedid: ID,
          channel,
          context: 'kcc-flow-main',
          exten: 's',
          up: true,
          duration: '00:00:30',
        }),
        BridgeId: bridge,
      });
      await restarted.reconcile(new FakePbx([row(caller, ID, 'b1'), row(op1, `${op1}.u`, 'b1')]));
      for (const e of [
        leg(caller, 'BridgeLeave', 40, { BridgeUniqueid: 'b1' }),
        leg(op1, 'Hangup', 40.01, { Cause: '16' }),
        leg(op3, 'Newchannel', 40.1),
        leg(caller, 'BridgeEnter', 45, { BridgeUniqueid: 'b2' }),
        leg(op3, 'BridgeEnter', 45, { BridgeUniqueid: 'b2' }),
        leg(op3, 'Hangup', 70, { Cause: '16' }),
        leg(caller, 'Hangup', 70.1, { Cause: '16' }),
      ]) {
        void restarted.handleEvent(e);
      }
      await restarted.idle();
      expect(await segmentRows()).toEqual([
        {
          agent: 'operator1',
          started_at: '2025-11-25T12:00:12.000Z',
          ended_at: '2025-11-25T12:00:40.010Z',
        },
        {
          agent: 'operator3',
          started_at: '2025-11-25T12:00:45.000Z',
          ended_at: '2025-11-25T12:01:10.000Z',
        },
      ]);
      const call = await store.get(ID);
      expect(call).toMatchObject({ state: 'ended', agent: 'operator1', talkSeconds: 53 });
    });
  });

  it("summary counts active calls and today's calls in Almaty time", async () => {
    // 18:30 UTC on the 24th is 23:30 in Almaty: yesterday.
    const yesterday = Date.parse('2025-11-24T18:30:00Z') / 1000;
    await feed(callEvents('1764009000.1', yesterday));
    await feed(callEvents('1764072000.2', NOON));
    await feed(callEvents('1764072060.3', NOON + 60, { answer: false }));
    await feed(callEvents('1764072120.4', NOON + 120, { hangup: false }));
    await feed(callEvents('1764072180.5', NOON + 180, { answer: false, hangup: false }));

    expect(await service.summary()).toEqual({ activeCalls: 2, callsToday: 4, answeredToday: 2 });
  });
});

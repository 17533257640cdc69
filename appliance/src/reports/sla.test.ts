import { describe, expect, it } from 'vitest';
import { NO_PATH_FACTS, type CallFact } from '../calls/reducer.js';
import { DEFAULT_SLA, slaFigures } from './sla.js';

let n = 0;
function call(extra: Partial<CallFact>): CallFact {
  n += 1;
  return {
    id: `c${n}`,
    direction: 'inbound',
    didRaw: '193',
    did: '193',
    service: '193',
    caller: '77010000000',
    callerName: null,
    channel: null,
    state: 'ended',
    startedAt: '2026-11-25T05:00:00.000Z',
    answeredAt: '2026-11-25T05:00:00.000Z',
    endedAt: '2026-11-25T05:01:00.000Z',
    hangupCause: 16,
    endEstimated: false,
    ...NO_PATH_FACTS,
    ...extra,
  };
}

describe('slaFigures', () => {
  const finished = [
    call({ outcome: 'operator', agent: 'a', waitSeconds: 10 }),
    call({ outcome: 'operator', agent: 'a', waitSeconds: 30 }),
    call({ outcome: 'operator', agent: 'b', waitSeconds: 45 }),
    call({ outcome: 'ivr' }),
    call({ outcome: 'missed', waitSeconds: 3 }),
    call({ outcome: 'missed', waitSeconds: 60 }),
    call({ outcome: null, state: 'answered' }),
  ];
  const live = [
    call({ state: 'answered', endedAt: null }),
    call({ state: 'answered', endedAt: null, queue: 'ru' }),
    call({ state: 'answered', endedAt: null, queue: 'ru', agent: 'b' }),
  ];

  it('keeps the invariant offered = answered + ivr + missed and counts the figures', () => {
    const f = slaFigures(finished, live, DEFAULT_SLA);
    expect(f.offered).toBe(6);
    expect(f.answered + f.completedInIvr + f.missed).toBe(f.offered);
    expect(f).toMatchObject({
      answered: 3,
      completedInIvr: 1,
      missed: 2,
      shortAbandons: 0,
      lossPercent: 33.3,
      answeredWithinTargetPercent: 66.7,
      averageWaitSeconds: 29.6,
      longestWaitSeconds: 60,
      inIvrNow: 1,
      inQueueNow: 1,
      talkingNow: 1,
    });
    expect(f.definitions.loss).toBe('missed ÷ offered (operator + ivr + missed)');
  });

  it('leaves short abandons out of the loss when the setting asks for it, and says so', () => {
    const f = slaFigures(finished, [], { targetWaitSeconds: 30, shortAbandonSeconds: 5 });
    expect(f.shortAbandons).toBe(1);
    expect(f.lossPercent).toBe(20);
    expect(f.definitions.loss).toContain('within 5 s');
  });

  it('has no percentages without calls', () => {
    const f = slaFigures([], [], DEFAULT_SLA);
    expect(f).toMatchObject({
      offered: 0,
      lossPercent: null,
      answeredWithinTargetPercent: null,
      averageWaitSeconds: null,
    });
  });
});

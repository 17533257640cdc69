import { describe, expect, it } from 'vitest';
import { NO_PATH_FACTS, type CallFact } from '../calls/reducer.js';
import { DEFAULT_SLA, slaFigures } from '../reports/sla.js';
import { availabilityFigures } from './availability.js';

let n = 0;
function call(extra: Partial<CallFact>): CallFact {
  n += 1;
  return {
    id: `c${n}`,
    direction: 'inbound',
    didRaw: '193',
    did: '193',
    service: '193',
    caller: `7701555000${n}`,
    callerName: 'Subscriber Name',
    channel: null,
    state: 'ended',
    startedAt: '2026-03-03T05:00:00.000Z',
    answeredAt: '2026-03-03T05:00:00.000Z',
    endedAt: '2026-03-03T05:01:00.000Z',
    hangupCause: 16,
    endEstimated: false,
    ...NO_PATH_FACTS,
    ...extra,
  };
}

describe('availabilityFigures', () => {
  const at = new Date('2026-03-03T06:00:00.000Z');
  const finished = [
    call({ outcome: 'operator', agent: 'operator1', waitSeconds: 10, recordingPath: '/r/1.wav' }),
    call({ outcome: 'operator', agent: 'operator2', waitSeconds: 50 }),
    call({ outcome: 'ivr' }),
    call({ outcome: 'missed', waitSeconds: 40 }),
  ];
  const live = [
    // Waiting in a queue since 05:59:00 and 05:59:30; one talking; one in the IVR.
    call({
      state: 'answered',
      endedAt: null,
      queue: 'ru',
      queueEnteredAt: '2026-03-03T05:59:00.000Z',
    }),
    call({ state: 'answered', endedAt: null, queue: 'kk', startedAt: '2026-03-03T05:59:30.000Z' }),
    call({ state: 'answered', endedAt: null, queue: 'ru', agent: 'operator3' }),
    call({ state: 'answered', endedAt: null }),
  ];
  const floor = [
    { role: 'operator', status: 'ready', username: 'operator1', displayName: 'Aigerim' },
    { role: 'operator', status: 'ready' },
    { role: 'operator', status: 'not_ready' },
    { role: 'second_line', status: 'after_call_work' },
    { role: 'operator', status: 'unreachable' },
    { role: 'operator', status: 'offline' },
    // Supervisors are not operators' figures.
    { role: 'supervisor', status: 'ready' },
  ];

  const figures = availabilityFigures(slaFigures(finished, live, DEFAULT_SLA), floor, live, at);

  it("gives today's service level, the callers waiting and the operators by status", () => {
    expect(figures).toEqual({
      at: '2026-03-03T06:00:00.000Z',
      offered: 4,
      answered: 2,
      missed: 1,
      completedInIvr: 1,
      lossPercent: 25,
      answeredWithinTargetPercent: 50,
      averageWaitSeconds: 33.3,
      longestWaitSeconds: 50,
      waitingNow: 2,
      longestWaitingNowSeconds: 60,
      inIvrNow: 1,
      talkingNow: 1,
      operators: { ready: 2, not_ready: 1, after_call_work: 1, unreachable: 1, offline: 1 },
      targets: { maxLossPercent: 5, targetWaitSeconds: 30 },
    });
  });

  it('carries no number, name, operator or recording', () => {
    const text = JSON.stringify(figures);
    for (const secret of ['7701555', 'Subscriber', 'operator1', 'Aigerim', '.wav', '193']) {
      expect(text).not.toContain(secret);
    }
  });

  it('has nobody waiting with no live calls', () => {
    const quiet = availabilityFigures(slaFigures([], [], DEFAULT_SLA), [], [], at);
    expect(quiet).toMatchObject({
      offered: 0,
      lossPercent: null,
      waitingNow: 0,
      longestWaitingNowSeconds: 0,
      operators: { ready: 0, not_ready: 0, after_call_work: 0, unreachable: 0, offline: 0 },
    });
  });
});

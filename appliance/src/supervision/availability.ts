/**
 * The center's availability figures (OBS-13, SLA-21): today's service level, the callers waiting
 * now and how many operators are in each status. Counts and durations only: this is what the
 * customer's observer and the wall monitor see, so nothing here may name a person, a number, a
 * recording or a ticket. Pure: the caller gathers the facts.
 */
import type { CallFact } from '../calls/reducer.js';
import { MAX_LOSS_PERCENT, type SlaFigures } from '../reports/sla.js';

/** Roles whose statuses are the operators' figures: the people who take queue calls. */
const OPERATOR_ROLES = new Set(['operator', 'second_line']);

export const OPERATOR_STATUSES = [
  'ready',
  'not_ready',
  'after_call_work',
  'unreachable',
  'offline',
] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

export interface Availability {
  /** When the figures were taken. */
  at: string;
  offered: number;
  answered: number;
  missed: number;
  completedInIvr: number;
  lossPercent: number | null;
  answeredWithinTargetPercent: number | null;
  averageWaitSeconds: number | null;
  longestWaitSeconds: number | null;
  /** Callers in a queue, not yet with an operator. */
  waitingNow: number;
  /** How long the caller who has waited longest so far has waited (0 with nobody waiting). */
  longestWaitingNowSeconds: number;
  inIvrNow: number;
  talkingNow: number;
  operators: Record<OperatorStatus, number>;
  /** SLA-21's lines the figures are held against. */
  targets: { maxLossPercent: number; targetWaitSeconds: number };
}

export function availabilityFigures(
  sla: SlaFigures,
  floor: ReadonlyArray<{ role: string; status: string }>,
  live: readonly CallFact[],
  at: Date,
): Availability {
  const operators = Object.fromEntries(OPERATOR_STATUSES.map((s) => [s, 0])) as Record<
    OperatorStatus,
    number
  >;
  for (const a of floor) {
    if (OPERATOR_ROLES.has(a.role) && a.status in operators) {
      operators[a.status as OperatorStatus] += 1;
    }
  }
  let longest = 0;
  for (const c of live) {
    if (c.direction !== 'inbound' || c.state === 'ended' || !c.queue || c.agent) continue;
    const since = Date.parse(c.queueEnteredAt ?? c.startedAt);
    longest = Math.max(longest, Math.floor((at.getTime() - since) / 1000));
  }
  return {
    at: at.toISOString(),
    offered: sla.offered,
    answered: sla.answered,
    missed: sla.missed,
    completedInIvr: sla.completedInIvr,
    lossPercent: sla.lossPercent,
    answeredWithinTargetPercent: sla.answeredWithinTargetPercent,
    averageWaitSeconds: sla.averageWaitSeconds,
    longestWaitSeconds: sla.longestWaitSeconds,
    waitingNow: sla.inQueueNow,
    longestWaitingNowSeconds: longest,
    inIvrNow: sla.inIvrNow,
    talkingNow: sla.talkingNow,
    operators,
    targets: {
      maxLossPercent: MAX_LOSS_PERCENT,
      targetWaitSeconds: sla.definitions.targetWaitSeconds,
    },
  };
}

/**
 * Today's service-level figures (SLA-21, RPT-29): pure arithmetic over call facts. Every figure
 * that depends on a definition is returned with that definition, so a screen can show it next to
 * the number.
 */
import type { CallFact } from '../calls/reducer.js';

export interface SlaDefinitions {
  /** Target answer wait in seconds (SLA-21: 30). */
  targetWaitSeconds: number;
  /** Missed calls that waited less than this are short abandons, left out of the loss (0: none). */
  shortAbandonSeconds: number;
}

export const DEFAULT_SLA: SlaDefinitions = { targetWaitSeconds: 30, shortAbandonSeconds: 0 };

/** SLA-21: the month's call loss at most 5 %. Today's figure is held against the same line. */
export const MAX_LOSS_PERCENT = 5;

export interface SlaFigures {
  /** Finished inbound calls: operator + ivr + missed (RPT-29's total). */
  offered: number;
  answered: number;
  completedInIvr: number;
  missed: number;
  shortAbandons: number;
  /** missed ÷ (offered − short abandons), in %; null with no calls. */
  lossPercent: number | null;
  /** Operator calls answered within the target wait ÷ operator calls, in %. */
  answeredWithinTargetPercent: number | null;
  averageWaitSeconds: number | null;
  longestWaitSeconds: number | null;
  inIvrNow: number;
  inQueueNow: number;
  talkingNow: number;
  definitions: SlaDefinitions & { loss: string; answeredWithinTarget: string; wait: string };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function slaFigures(finished: CallFact[], live: CallFact[], d: SlaDefinitions): SlaFigures {
  const inbound = finished.filter((c) => c.direction === 'inbound' && c.outcome !== null);
  const answered = inbound.filter((c) => c.outcome === 'operator');
  const missed = inbound.filter((c) => c.outcome === 'missed');
  const shortAbandons = missed.filter(
    (c) => d.shortAbandonSeconds > 0 && (c.waitSeconds ?? 0) < d.shortAbandonSeconds,
  ).length;
  const counted = inbound.length - shortAbandons;
  const waits = inbound.map((c) => c.waitSeconds).filter((w): w is number => w !== null);
  const withinTarget = answered.filter(
    (c) => c.waitSeconds !== null && c.waitSeconds <= d.targetWaitSeconds,
  ).length;
  const inbound_live = live.filter((c) => c.direction === 'inbound' && c.state !== 'ended');
  return {
    offered: inbound.length,
    answered: answered.length,
    completedInIvr: inbound.filter((c) => c.outcome === 'ivr').length,
    missed: missed.length,
    shortAbandons,
    lossPercent: counted > 0 ? round1(((missed.length - shortAbandons) / counted) * 100) : null,
    answeredWithinTargetPercent:
      answered.length > 0 ? round1((withinTarget / answered.length) * 100) : null,
    averageWaitSeconds:
      waits.length > 0 ? round1(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
    longestWaitSeconds: waits.length > 0 ? Math.max(...waits) : null,
    inIvrNow: inbound_live.filter((c) => !c.queue && !c.agent).length,
    inQueueNow: inbound_live.filter((c) => c.queue && !c.agent).length,
    talkingNow: inbound_live.filter((c) => c.agent).length,
    definitions: {
      ...d,
      loss:
        d.shortAbandonSeconds > 0
          ? `missed ÷ offered, leaving out callers who hung up within ${d.shortAbandonSeconds} s`
          : 'missed ÷ offered (operator + ivr + missed)',
      answeredWithinTarget: `operator calls answered within ${d.targetWaitSeconds} s ÷ operator calls`,
      wait: "from the system's answer to the operator's answer or the caller's hang-up (RPT-29.4)",
    },
  };
}

/**
 * Colours of the availability figures against SLA-21 (loss at most 5 %, answer wait at most
 * 30 s): green within the line, amber in its last fifth, red beyond it. Pure, for the supervisor
 * page, the observer's view and the wall monitor alike.
 */
import type { Level } from '../managers/health-manager.svelte';
import type { MessageKey } from '../i18n/i18n.svelte';
import type { StaffingAlert } from './types';

/** Share of the limit from which a figure turns amber. */
const WARN_SHARE = 0.8;

/** A figure that must stay at or under `limit`. */
export function levelUnder(value: number | null, limit: number): Level {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  if (value > limit) return 'bad';
  if (value >= limit * WARN_SHARE) return 'warn';
  return 'ok';
}

/** Seconds the longest-waiting caller has waited by `now`, from figures received at `receivedAt`. */
export function waitingFor(
  figures: { waitingNow: number; longestWaitingNowSeconds: number },
  receivedAt: number,
  now: number,
): number {
  if (figures.waitingNow === 0) return 0;
  return figures.longestWaitingNowSeconds + Math.max(0, Math.floor((now - receivedAt) / 1000));
}

/** The message of a staffing alert and its placeholders. */
export function alertMessage(alert: StaffingAlert): {
  key: MessageKey;
  params: Record<string, number>;
} {
  switch (alert.id) {
    case 'operators_below_minimum':
      return {
        key: 'staffing.operators_below_minimum',
        params: { count: alert.count, minimum: alert.minimum },
      };
    case 'no_supervisor':
      return { key: 'staffing.no_supervisor', params: {} };
    case 'no_second_line':
      return { key: 'staffing.no_second_line', params: {} };
  }
}

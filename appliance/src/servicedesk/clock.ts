/**
 * The Service Desk's clocks, pure: the second line's callback deadline (LINE-5: no later than 2
 * hours after the request was registered) and the complaint resolution deadline (QA-12). Whether a
 * clock stops outside working hours is a setting; by default it does not, as the specification
 * reads ("2 hours after registration").
 */

export interface ClockPolicy {
  /** Hours from registration to the second line's callback (LINE-5: 2). */
  callbackHours: number;
  /** Hours from registration to a complaint's resolution. */
  complaintResolutionHours: number;
  /** Count only working time (the center's calendar) toward both deadlines. */
  pauseOutsideHours: boolean;
}

export const DEFAULT_CLOCK_POLICY: ClockPolicy = {
  callbackHours: 2,
  complaintResolutionHours: 72,
  pauseOutsideHours: false,
};

const MINUTE = 60_000;
/** A deadline further than this in working time means the calendar has no working hours. */
const MAX_SEARCH_DAYS = 60;

/**
 * `start` plus `ms` of working time. Walks the calendar a minute at a time (the calendar's
 * granularity), so the answer is exact to the minute; `isOpen` is asked at each minute's start.
 */
export function addWorkingTime(start: Date, ms: number, isOpen: (at: Date) => boolean): Date {
  let remaining = ms;
  let t = start.getTime();
  const limit = t + MAX_SEARCH_DAYS * 24 * 60 * MINUTE;
  while (remaining > 0) {
    if (t > limit) {
      throw new Error(`no working time within ${MAX_SEARCH_DAYS} days of ${start.toISOString()}`);
    }
    const minuteStart = t - (t % MINUTE);
    const nextMinute = minuteStart + MINUTE;
    if (isOpen(new Date(minuteStart))) {
      const take = Math.min(nextMinute - t, remaining);
      remaining -= take;
      t += take;
    } else {
      t = nextMinute;
    }
  }
  return new Date(t);
}

function deadline(
  registeredAt: Date,
  hours: number,
  policy: ClockPolicy,
  isOpen: ((at: Date) => boolean) | undefined,
): Date {
  const ms = hours * 60 * MINUTE;
  if (!policy.pauseOutsideHours || !isOpen) return new Date(registeredAt.getTime() + ms);
  return addWorkingTime(registeredAt, ms, isOpen);
}

export function callbackDueAt(
  registeredAt: Date,
  policy: ClockPolicy,
  isOpen?: (at: Date) => boolean,
): Date {
  return deadline(registeredAt, policy.callbackHours, policy, isOpen);
}

export function resolutionDueAt(
  registeredAt: Date,
  policy: ClockPolicy,
  isOpen?: (at: Date) => boolean,
): Date {
  return deadline(registeredAt, policy.complaintResolutionHours, policy, isOpen);
}

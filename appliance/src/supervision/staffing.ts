/**
 * Staffing alerts (STAFF-7/8/9) as pure functions: during working hours the center needs at
 * least `minOperators` first-line operators (3 by contract), one supervisor and one second-line
 * operator signed in. No I/O and no clock here: the caller says who is signed in and whether the
 * center is open at the instant it asks about.
 *
 * Who counts: a user signed in to the console whose status is anything but Signed out
 * (`offline`). Unreachable counts as signed in: the person is at the console and the floor shows
 * the lost phone on its own. Only the role `operator` counts towards the operators' minimum:
 * second-line operators and supervisors have minimums of their own (STAFF-8, STAFF-9).
 */

export const ALERT_IDS = ['operators_below_minimum', 'no_supervisor', 'no_second_line'] as const;
export type StaffingAlertId = (typeof ALERT_IDS)[number];

export type StaffingAlert =
  | { id: 'operators_below_minimum'; count: number; minimum: number }
  | { id: 'no_supervisor' }
  | { id: 'no_second_line' };

export interface StaffingPolicy {
  /** First-line operators needed while the center is open (STAFF-7: 3). */
  minOperators: number;
}

export const DEFAULT_STAFFING: StaffingPolicy = { minOperators: 3 };

/** One person the floor shows, as the alerts need them. */
export interface FloorEntry {
  userId: number;
  role: string;
  /** The public status (`offline` is Signed out). */
  status: string;
}

/**
 * Who is signed in: on the floor with a status other than Signed out, and holding a console
 * session that has not ended. The session matters because a console closed without signing out
 * keeps its status; once its session expires the person no longer counts.
 */
export function signedInStaff(
  floor: readonly FloorEntry[],
  sessionUserIds: ReadonlySet<number>,
): Array<{ userId: number; role: string }> {
  return floor
    .filter((a) => a.status !== 'offline' && sessionUserIds.has(a.userId))
    .map((a) => ({ userId: a.userId, role: a.role }));
}

/** The alerts that hold now, in the order of ALERT_IDS; none while the center is closed. */
export function staffingAlerts(
  input: { signedIn: ReadonlyArray<{ role: string }>; open: boolean },
  policy: StaffingPolicy = DEFAULT_STAFFING,
): StaffingAlert[] {
  if (!input.open) return [];
  const count = (role: string) => input.signedIn.filter((u) => u.role === role).length;
  const alerts: StaffingAlert[] = [];
  const operators = count('operator');
  if (operators < policy.minOperators) {
    alerts.push({ id: 'operators_below_minimum', count: operators, minimum: policy.minOperators });
  }
  if (count('supervisor') === 0) alerts.push({ id: 'no_supervisor' });
  if (count('second_line') === 0) alerts.push({ id: 'no_second_line' });
  return alerts;
}

/**
 * What changed between two evaluations, by alert id: `raised` and `cleared` are what the journal
 * records; `updated` holds alerts still active whose figures moved (2 operators → 1).
 */
export function alertChanges(
  before: readonly StaffingAlert[],
  after: readonly StaffingAlert[],
): { raised: StaffingAlert[]; cleared: StaffingAlert[]; updated: StaffingAlert[] } {
  const was = new Map(before.map((a) => [a.id, a]));
  const now = new Map(after.map((a) => [a.id, a]));
  return {
    raised: after.filter((a) => !was.has(a.id)),
    cleared: before.filter((a) => !now.has(a.id)),
    updated: after.filter((a) => {
      const old = was.get(a.id);
      return old !== undefined && JSON.stringify(old) !== JSON.stringify(a);
    }),
  };
}

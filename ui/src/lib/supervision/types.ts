/** Shapes of `/api/availability` and `/api/supervision/staffing` (OBS-13, STAFF-7/8/9). */
import type { AgentStatusName } from '../agents/types';

/** Counts and durations only: what the observer and the wall monitor may see. */
export interface Availability {
  at: string;
  offered: number;
  answered: number;
  missed: number;
  completedInIvr: number;
  lossPercent: number | null;
  answeredWithinTargetPercent: number | null;
  averageWaitSeconds: number | null;
  longestWaitSeconds: number | null;
  waitingNow: number;
  /** At `at`; the console adds the time since it received the figures. */
  longestWaitingNowSeconds: number;
  inIvrNow: number;
  talkingNow: number;
  operators: Record<AgentStatusName, number>;
  targets: { maxLossPercent: number; targetWaitSeconds: number };
}

export type StaffingAlert =
  | { id: 'operators_below_minimum'; count: number; minimum: number; since: string }
  | { id: 'no_supervisor'; since: string }
  | { id: 'no_second_line'; since: string };

/** What `staffing.changed` carries. */
export interface StaffingState {
  open: boolean;
  evaluatedAt: string | null;
  alerts: StaffingAlert[];
}

export interface StaffingEvent {
  at: string;
  id: StaffingAlert['id'];
  change: 'raised' | 'cleared';
  count: number | null;
  minimum: number | null;
}

/** What `GET /api/supervision/staffing` answers. */
export interface Staffing extends StaffingState {
  minOperators: number;
  history: StaffingEvent[];
}

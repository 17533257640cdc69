/**
 * Supervision's wiring: the staffing alerts and the availability figures, fed by the operators'
 * statuses and the calls, pushed on the live hub, and their routes.
 *
 * Who is signed in comes from the operators' statuses (AgentService): supervisors and second-line
 * operators have phones and statuses too, so the floor holds all three roles the alerts count,
 * and its `changed` events are the moments they change. A status outlives a console closed
 * without signing out, so the live sessions are checked as well (see `signedInStaff`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { AuditStore } from '../admin/audit-store.js';
import type { UserStore } from '../admin/users-store.js';
import type { AgentService } from '../agents/service.js';
import type { CallService } from '../calls/service.js';
import type { Db } from '../db/database.js';
import type { LiveHub } from '../http/live-hub.js';
import { openPredicate } from '../pbx/calendar.js';
import type { CalendarService } from '../pbx/calendar-service.js';
import type { PbxStore } from '../pbx/store.js';
import { slaToday } from '../reports/routes.js';
import { availabilityFigures, type Availability } from './availability.js';
import { FloorActions } from './floor-actions.js';
import { supervisionRoutes } from './routes.js';
import { StaffingService } from './staffing-service.js';
import { signedInStaff } from './staffing.js';
import { StaffingJournal, StaffingSettings } from './store.js';

export interface SupervisionDeps {
  db: Db;
  audit: AuditStore;
  users: Pick<UserStore, 'signedInUserIds' | 'deleteSessionsOf'>;
  settings: PbxStore;
  agents: Pick<AgentService, 'floor' | 'on' | 'choose'>;
  calls: CallService;
  calendar: Pick<CalendarService, 'hours' | 'rules'>;
  hub: Pick<LiveHub, 'publish' | 'listening' | 'endSession'>;
  now: () => Date;
  logger: Logger;
  /** Availability figures are pushed at most this often (they read today's calls). */
  pushIntervalMs?: number;
}

export interface Supervision {
  staffing: StaffingService;
  availability: () => Promise<Availability>;
  routes: FastifyPluginAsyncTypebox;
  /** Takes back the journalled alerts, then evaluates now and at every minute boundary. */
  start(): Promise<void>;
  stop(): void;
  idle(): Promise<void>;
}

/** How long the working-hours predicate is reused: the calendar changes rarely, reads cost. */
const WORKING_TIME_TTL_MS = 60_000;

export function createSupervision(d: SupervisionDeps): Supervision {
  const journal = new StaffingJournal(d.db, d.audit);
  let cached: { at: number; isOpen: (at: Date) => boolean } | null = null;
  const workingTime = async () => {
    const now = d.now().getTime();
    if (!cached || now - cached.at >= WORKING_TIME_TTL_MS) {
      cached = {
        at: now,
        isOpen: openPredicate(await d.calendar.hours(), await d.calendar.rules()),
      };
    }
    return cached.isOpen;
  };
  const staffing = new StaffingService({
    signedIn: async () => {
      const [floor, sessions] = await Promise.all([
        d.agents.floor(),
        d.users.signedInUserIds(d.now().toISOString()),
      ]);
      return signedInStaff(floor, sessions);
    },
    workingTime,
    settings: new StaffingSettings(d.settings, d.now),
    journal,
    now: d.now,
    logger: d.logger,
  });

  const availability = async (): Promise<Availability> => {
    const at = d.now();
    const [sla, floor] = await Promise.all([slaToday(d.calls, d.settings, at), d.agents.floor()]);
    return availabilityFigures(sla, floor, d.calls.liveCalls(), at);
  };

  // Pushed at most once per interval however busy the PBX is, and not read when nobody listens.
  const interval = d.pushIntervalMs ?? 1000;
  let pushTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const pushAvailability = () => {
    if (pushTimer || stopped || !d.hub.listening('availability')) return;
    pushTimer = setTimeout(() => {
      pushTimer = null;
      availability().then(
        (a) => d.hub.publish('availability', 'availability.changed', a),
        (err: unknown) => d.logger.error({ err }, 'availability figures failed'),
      );
    }, interval);
    pushTimer.unref();
  };

  // Until start() has taken back the journalled alerts an evaluation would raise them again.
  let started = false;
  // Only signing in or out moves the alerts; the many status changes of a working day (after-call
  // work after every call) do not, and an evaluation reads the floor and the sessions.
  const signedOut = new Map<number, boolean>();
  d.agents.on('changed', (view) => {
    const out = view.status === 'offline';
    if (signedOut.get(view.userId) !== out) {
      signedOut.set(view.userId, out);
      if (started) void staffing.refresh().catch(() => undefined);
    }
    pushAvailability();
  });
  d.calls.on('changed', pushAvailability);
  staffing.on('changed', (state) => d.hub.publish('staffing', 'staffing.changed', state));

  return {
    staffing,
    availability,
    routes: supervisionRoutes(
      staffing,
      journal,
      availability,
      new FloorActions({
        agents: d.agents,
        endSessions: (userId) => d.users.deleteSessionsOf(userId),
        closeLive: (hash) => d.hub.endSession(hash),
        audit: d.audit,
      }),
    ),
    async start() {
      await staffing.load();
      started = true;
      staffing.start();
    },
    stop() {
      stopped = true;
      staffing.stop();
      if (pushTimer) clearTimeout(pushTimer);
      pushTimer = null;
    },
    idle: () => staffing.idle(),
  };
}

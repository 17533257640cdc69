/**
 * `/api/supervision/staffing`: the staffing alerts (STAFF-7/8/9) with their journal, and the
 * minimum the administrator sets. `/api/availability`: the figures-only view of the center
 * (OBS-13) that the observer, the wall monitor and the supervisor share.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorSchema } from '../http/schemas.js';
import type { Availability } from './availability.js';
import {
  AvailabilitySchema,
  StaffingPolicySchema,
  StaffingQuery,
  StaffingSchema,
} from './schemas.js';
import type { StaffingService } from './staffing-service.js';
import type { StaffingJournal } from './store.js';

export function supervisionRoutes(
  staffing: StaffingService,
  journal: Pick<StaffingJournal, 'history'>,
  availability: () => Promise<Availability>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/supervision/staffing',
      {
        config: { permission: 'floor:read' },
        schema: {
          tags: ['supervision'],
          summary:
            'Staffing alerts now (during working hours: under the operators minimum, no supervisor, no second line) and when each was raised or cleared',
          querystring: StaffingQuery,
          response: { 200: StaffingSchema, 400: ErrorSchema },
        },
      },
      async (req) => {
        const state = staffing.current();
        const [policy, history] = await Promise.all([
          staffing.policy(),
          journal.history(req.query.historyLimit ?? 20),
        ]);
        return { ...state, minOperators: policy.minOperators, history };
      },
    );

    app.put(
      '/api/supervision/staffing/settings',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['supervision'],
          summary: 'Sets how many first-line operators the center needs during working hours',
          body: StaffingPolicySchema,
          response: { 200: StaffingPolicySchema, 400: ErrorSchema },
        },
      },
      async (req) => staffing.setPolicy({ minOperators: req.body.minOperators }),
    );

    app.get(
      '/api/availability',
      {
        config: { permission: 'availability:read' },
        schema: {
          tags: ['supervision'],
          summary:
            "Today's offered, answered, missed, loss and wait figures, callers waiting and operators by status: figures only",
          response: { 200: AvailabilitySchema },
        },
      },
      async () => availability(),
    );
  };
}

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
import { Type } from '@sinclair/typebox';
import { AgentViewSchema } from '../agents/routes.js';
import type { FloorActions } from './floor-actions.js';

const ForceParams = Type.Object({ userId: Type.Integer({ minimum: 1 }) });
const ForceBody = Type.Object(
  {
    why: Type.String({
      minLength: 3,
      maxLength: 500,
      description: 'Why: written to the audit log with the supervisor’s name',
    }),
  },
  { additionalProperties: false },
);

export function supervisionRoutes(
  staffing: StaffingService,
  journal: Pick<StaffingJournal, 'history'>,
  availability: () => Promise<Availability>,
  floor: FloorActions,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const by = (req: {
      session?: { user: { id: number; username: string } } | null;
      ip: string;
    }) => ({
      id: req.session!.user.id,
      username: req.session!.user.username,
      ip: req.ip,
    });

    app.post(
      '/api/supervision/agents/:userId/force-ready',
      {
        config: { permission: 'floor:manage' },
        schema: {
          tags: ['supervision'],
          summary: 'Forces an operator to Ready (logged in the audit log with who and why)',
          params: ForceParams,
          body: ForceBody,
          response: { 200: AgentViewSchema, 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (req) => floor.forceReady(by(req), req.params.userId, req.body.why),
    );

    app.post(
      '/api/supervision/agents/:userId/disconnect',
      {
        config: { permission: 'floor:manage' },
        schema: {
          tags: ['supervision'],
          summary:
            'Disconnects an operator from the service: Signed out in every queue and their console sessions ended (logged with who and why)',
          params: ForceParams,
          body: ForceBody,
          response: { 200: AgentViewSchema, 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (req) => floor.disconnect(by(req), req.params.userId, req.body.why),
    );

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

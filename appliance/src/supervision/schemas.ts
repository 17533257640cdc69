/** The supervision API's shapes: staffing alerts and the availability figures. */
import { Type } from '@sinclair/typebox';

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const StaffingAlertSchema = Type.Object(
  {
    id: Type.Union(
      [
        Type.Literal('operators_below_minimum'),
        Type.Literal('no_supervisor'),
        Type.Literal('no_second_line'),
      ],
      { description: 'STAFF-7, STAFF-8, STAFF-9' },
    ),
    since: Type.String({ format: 'date-time', description: 'When the alert was raised' }),
    count: Type.Optional(Type.Integer({ description: 'Operators signed in (the first alert)' })),
    minimum: Type.Optional(Type.Integer({ description: 'Operators needed (the first alert)' })),
  },
  { additionalProperties: false },
);

export const StaffingEventSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    id: Type.String(),
    change: Type.Union([Type.Literal('raised'), Type.Literal('cleared')]),
    count: Type.Union([Type.Integer(), Type.Null()]),
    minimum: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const StaffingSchema = Type.Object(
  {
    open: Type.Boolean({ description: 'The center was open at the last evaluation' }),
    evaluatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    minOperators: Type.Integer(),
    alerts: Type.Array(StaffingAlertSchema),
    history: Type.Array(StaffingEventSchema, { description: 'Raised and cleared, newest first' }),
  },
  { additionalProperties: false },
);

export const StaffingQuery = Type.Object(
  {
    historyLimit: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 200, default: 20, description: 'Journal rows' }),
    ),
  },
  { additionalProperties: false },
);

export const StaffingPolicySchema = Type.Object(
  {
    minOperators: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'First-line operators needed during working hours (STAFF-7: 3)',
    }),
  },
  { additionalProperties: false },
);

export const AvailabilitySchema = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    offered: Count,
    answered: Count,
    missed: Count,
    completedInIvr: Count,
    lossPercent: NullableNumber,
    answeredWithinTargetPercent: NullableNumber,
    averageWaitSeconds: NullableNumber,
    longestWaitSeconds: NullableNumber,
    waitingNow: Count,
    longestWaitingNowSeconds: Count,
    inIvrNow: Count,
    talkingNow: Count,
    operators: Type.Object(
      {
        ready: Count,
        not_ready: Count,
        after_call_work: Count,
        unreachable: Count,
        offline: Count,
      },
      { additionalProperties: false },
    ),
    targets: Type.Object(
      { maxLossPercent: Type.Number(), targetWaitSeconds: Type.Integer() },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    description: 'Counts and durations only: no names, numbers, recordings or tickets (OBS-13)',
  },
);

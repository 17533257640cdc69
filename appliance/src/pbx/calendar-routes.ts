/** `/api/calendar`: working hours, holidays and transfers (SVC-4). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../admin/errors.js';
import { calendarYear } from './calendar.js';
import type { CalendarService } from './calendar-service.js';

const Time = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'HH:MM, Asia/Almaty' });
const Span = Type.Object({ open: Time, close: Time }, { additionalProperties: false });
const DateParam = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export function calendarRoutes(
  calendar: CalendarService,
  now: () => Date,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/calendar',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['calendar'],
          summary: 'Hours, overrides and the resulting days of a year',
          querystring: Type.Object({
            year: Type.Optional(Type.Integer({ minimum: 2020, maximum: 2100 })),
          }),
        },
      },
      async (req) => {
        const rules = await calendar.rules();
        const year = req.query.year ?? now().getUTCFullYear();
        return {
          hours: await calendar.hours(),
          overrides: rules.overrides,
          year,
          daysOff: calendarYear(year, rules).filter(
            (d) => d.kind !== 'workday' && d.reason !== 'weekend',
          ),
        };
      },
    );

    app.put(
      '/api/calendar/hours',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['calendar'],
          summary: 'Sets the working hours of workdays and of weekends/holidays',
          body: Type.Object({ workday: Span, dayOff: Span }, { additionalProperties: false }),
        },
      },
      async (req) => {
        await calendar.setHours(req.body);
        return { hours: req.body };
      },
    );

    app.put(
      '/api/calendar/overrides/:date',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['calendar'],
          summary: 'Adds or replaces a day off (holiday, transfer) or a working weekend day',
          params: Type.Object({ date: DateParam }),
          body: Type.Object(
            {
              kind: Type.Union([Type.Literal('off'), Type.Literal('work')]),
              name: Type.String({ minLength: 1, maxLength: 100 }),
              religious: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const o = { date: req.params.date, ...req.body };
        await calendar.putOverride(o);
        return o;
      },
    );

    app.delete(
      '/api/calendar/overrides/:date',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['calendar'],
          summary: 'Removes an override',
          params: Type.Object({ date: DateParam }),
        },
      },
      async (req, reply) => {
        if (!(await calendar.deleteOverride(req.params.date))) {
          throw new AppError(404, 'not_found', `No override on ${req.params.date}`);
        }
        return reply.status(204).send();
      },
    );
  };
}

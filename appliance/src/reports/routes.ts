/** `/api/sla`: today's service-level figures with their definitions (SLA-21), live. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CallService } from '../calls/service.js';
import type { PbxStore } from '../pbx/store.js';
import { startOfDay } from '../time.js';
import { DEFAULT_SLA, slaFigures, type SlaDefinitions, type SlaFigures } from './sla.js';

const KEY = 'sla.definitions';

export async function slaDefinitions(settings: PbxStore): Promise<SlaDefinitions> {
  const raw = await settings.getSetting(KEY);
  return raw ? { ...DEFAULT_SLA, ...(JSON.parse(raw) as Partial<SlaDefinitions>) } : DEFAULT_SLA;
}

/** Enough for a day of the center's traffic many times over. */
const MAX_CALLS_PER_DAY = 100_000;

/** Today's figures (Asia/Almaty day) at the instant `at`, over finished and live calls. */
export async function slaToday(
  calls: CallService,
  settings: PbxStore,
  at: Date,
): Promise<SlaFigures> {
  const today = await calls.list(startOfDay(at).toISOString(), at.toISOString(), MAX_CALLS_PER_DAY);
  return slaFigures(
    today.filter((c) => c.state === 'ended'),
    calls.liveCalls(),
    await slaDefinitions(settings),
  );
}

export function slaRoutes(
  calls: CallService,
  settings: PbxStore,
  now: () => Date,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/sla/today',
      {
        config: { permission: 'summary:read' },
        schema: {
          tags: ['reports'],
          summary: "Today's offered, answered, missed, loss and wait figures (Asia/Almaty day)",
        },
      },
      async () => slaToday(calls, settings, now()),
    );

    app.put(
      '/api/sla/definitions',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['reports'],
          summary: 'Sets the target wait and the short-abandon threshold the figures use',
          body: Type.Object(
            {
              targetWaitSeconds: Type.Integer({ minimum: 1, maximum: 600 }),
              shortAbandonSeconds: Type.Integer({ minimum: 0, maximum: 60 }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        await settings.setSetting(KEY, JSON.stringify(req.body), now().toISOString());
        return req.body;
      },
    );
  };
}

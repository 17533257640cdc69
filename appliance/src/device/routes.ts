/** `/api/health` and the CA certificate workstations install. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HealthService } from './health.js';

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Integer(),
  db: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  pbx: Type.Object({
    connected: Type.Boolean(),
    version: Type.Union([Type.String(), Type.Null()]),
    since: Type.Union([Type.String(), Type.Null()]),
  }),
  disk: Type.Object({
    path: Type.String(),
    totalBytes: Type.Number(),
    freeBytes: Type.Number(),
    usedPercent: Type.Number(),
  }),
  load: Type.Object({ avg1: Type.Number(), cpuPercent: Type.Number() }),
});

export function deviceRoutes(
  health: HealthService,
  caCert: string | null,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Public on purpose: monitoring probes have no session, and it holds no personal data.
    app.get(
      '/api/health',
      {
        config: { public: true },
        schema: {
          tags: ['device'],
          summary: 'Health of the box and the PBX',
          response: { 200: HealthSchema },
        },
      },
      async () => health.current(),
    );

    app.get(
      '/api/tls/ca.crt',
      {
        config: { public: true },
        schema: {
          tags: ['device'],
          summary: "The appliance's CA certificate, for workstations to trust",
        },
      },
      async (_req, reply) => {
        if (!caCert)
          return reply.status(404).send({
            statusCode: 404,
            error: 'Not Found',
            code: 'no_ca',
            message: 'This controller runs without its own CA',
          });
        return reply
          .type('application/x-x509-ca-cert')
          .header('content-disposition', 'attachment; filename="kcc-ca.crt"')
          .send(caCert);
      },
    );
  };
}

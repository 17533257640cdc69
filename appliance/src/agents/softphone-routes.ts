/**
 * `/api/softphone`: what the console's softphone needs to register the signed-in user's WebRTC
 * endpoint through this origin's `/ws` (the controller proxies Asterisk's SIP WebSocket).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../admin/errors.js';
import type { UserStore } from '../admin/users-store.js';
import { ErrorSchema } from '../http/schemas.js';

export const SoftphoneSchema = Type.Object({
  sipUsername: Type.String(),
  sipPassword: Type.String(),
  /** Path of the SIP WebSocket on this origin. */
  webSocketPath: Type.String(),
  displayName: Type.String(),
  /** Services the operator may call out for, and the number each presents. */
  services: Type.Array(Type.Object({ number: Type.String(), callerId: Type.String() })),
});

export function softphoneRoutes(
  users: UserStore,
  callerIds: () => Promise<Record<string, string>>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/softphone',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['agents'],
          summary: "The signed-in user's SIP credentials for the browser softphone",
          response: { 200: SoftphoneSchema, 404: ErrorSchema },
        },
      },
      async (req, reply) => {
        const user = await users.byId(req.session!.user.id);
        if (!user?.sip_secret) {
          throw new AppError(
            404,
            'no_softphone',
            'No softphone endpoint is configured for this user',
          );
        }
        void reply.header('cache-control', 'no-store');
        return {
          sipUsername: user.username,
          sipPassword: user.sip_secret,
          webSocketPath: '/ws',
          displayName: user.display_name,
          services: Object.entries(await callerIds()).map(([number, callerId]) => ({
            number,
            callerId,
          })),
        };
      },
    );
  };
}

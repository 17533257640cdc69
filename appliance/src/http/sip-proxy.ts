/**
 * The browsers' SIP WebSocket (RFC 7118) on the controller's origin: `/ws` is relayed frame by
 * frame to Asterisk's loopback HTTP server, so workstations trust one certificate on one port,
 * and only a signed-in user with a softphone gets through.
 *
 * This is a small relay on @fastify/websocket rather than @fastify/http-proxy: both plugins
 * listen for HTTP upgrades, and with the two registered a refused upgrade was answered twice,
 * which crashed the process.
 */
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';

export interface SipProxyTarget {
  host: string;
  port: number;
}

/** Frames a client may send before Asterisk's side is open (REGISTER is sent at once). */
const MAX_PENDING = 32;

export function registerSipProxy(app: FastifyInstance, target: SipProxyTarget): void {
  app.get(
    '/ws',
    { websocket: true, config: { permission: 'softphone:use' }, schema: { hide: true } },
    (client, req) => {
      const upstream = new WebSocket(`ws://${target.host}:${target.port}/ws`, 'sip', {
        handshakeTimeout: 5000,
      });
      const pending: Array<[WebSocket.RawData, boolean]> = [];
      const closeBoth = (code: number, reason: string) => {
        if (client.readyState === client.OPEN) client.close(code, reason);
        if (upstream.readyState === upstream.OPEN || upstream.readyState === upstream.CONNECTING) {
          upstream.terminate();
        }
      };

      client.on('message', (data, isBinary) => {
        if (upstream.readyState === upstream.OPEN) upstream.send(data, { binary: isBinary });
        else if (pending.length < MAX_PENDING) pending.push([data, isBinary]);
        else closeBoth(1013, 'PBX not ready');
      });
      upstream.on('open', () => {
        for (const [data, binary] of pending.splice(0)) upstream.send(data, { binary });
      });
      upstream.on('message', (data, isBinary) => {
        if (client.readyState === client.OPEN) client.send(data, { binary: isBinary });
      });
      upstream.on('error', (err) => {
        req.log.warn({ err: err.message }, 'SIP WebSocket to Asterisk failed');
        closeBoth(1011, 'PBX unreachable');
      });
      upstream.on('close', () => closeBoth(1001, 'PBX closed the connection'));
      client.on('close', () => closeBoth(1000, 'client closed'));
      client.on('error', () => closeBoth(1011, 'client error'));
    },
  );
}

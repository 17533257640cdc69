/**
 * Prometheus metrics at `/metrics`. Scrapers have no session: the route answers loopback, or a
 * request carrying the configured bearer token.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly pbxConnected = new Gauge({
    name: 'kcc_pbx_connected',
    help: '1 when the AMI link to Asterisk is up',
    registers: [this.registry],
  });
  readonly pbxReconnects = new Counter({
    name: 'kcc_pbx_reconnects_total',
    help: 'AMI connections established',
    registers: [this.registry],
  });
  readonly activeCalls = new Gauge({
    name: 'kcc_calls_active',
    help: 'Calls in progress',
    registers: [this.registry],
  });
  readonly callEvents = new Counter({
    name: 'kcc_ami_events_total',
    help: 'AMI events received',
    registers: [this.registry],
  });
  readonly wsClients = new Gauge({
    name: 'kcc_ws_clients',
    help: 'Console WebSocket clients connected',
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'kcc_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kcc_' });
  }
}

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route) return;
    metrics.httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const bearer = req.headers.authorization === `Bearer ${token}` && token !== '';
    if (!isLoopback(req.ip) && !bearer) {
      return reply.status(401).send({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'metrics_token',
        message: 'Scrape from loopback or send the metrics bearer token',
      });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.js';
import { memoryDb, silentLogger, TestClock } from '../test-support.js';
import { ServiceDesk, type Actor } from './service.js';
import { retryDelay, WebhookWorker } from './webhooks.js';

const crm: Actor = { kind: 'api', client: 'crm' };
const SECRET = 'shared-secret-of-the-receiver';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The customer's service desk: a real HTTP server that answers with the statuses it is given. */
async function receiver(
  port: number,
  statuses: number[],
): Promise<{ server: Server; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, got };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('webhook delivery', () => {
  let db: Db;
  let clock: TestClock;
  let sd: ServiceDesk;
  let worker: WebhookWorker;
  let port: number;
  let server: Server | null = null;

  beforeEach(async () => {
    db = await memoryDb();
    clock = new TestClock('2026-11-25T05:00:00.000Z');
    sd = new ServiceDesk(db, { now: clock.now, logger: silentLogger });
    worker = new WebhookWorker(db, { now: clock.now, logger: silentLogger, baseDelayMs: 10_000 });
    port = await freePort();
    await db
      .insertInto('webhooks')
      .values({
        url: `http://127.0.0.1:${port}/kcc-events`,
        secret: SECRET,
        events: JSON.stringify(['*']),
        created_by: 'admin',
        created_at: clock.now().toISOString(),
      })
      .execute();
  });

  afterEach(async () => {
    await worker.stop();
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = null;
  });

  async function registerAndEscalate(): Promise<number> {
    const { ticket } = await sd.create(
      {
        type: 'technical',
        channel: 'voice',
        subscriber: { phone: '+77011234567' },
        regionId: 'almaty',
        serviceId: 'otau_tv',
        topic: 'No picture',
        description: 'Satellite dish moved in the wind',
      },
      crm,
      { clientKey: 'k1', requestHash: 'h' },
    );
    await sd.escalate(ticket.id, crm);
    return ticket.id;
  }

  it('keeps events while the receiver is down and delivers them in order, signed, once it is back', async () => {
    const id = await registerAndEscalate();
    expect(await worker.runOnce()).toBe(0);
    const failed = await db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();
    expect(failed[0]).toMatchObject({
      attempts: 1,
      delivered_at: null,
      last_error: 'ECONNREFUSED',
    });
    // The second waits behind the first: never out of order.
    expect(failed[1]).toMatchObject({ attempts: 0, delivered_at: null });

    const r = await receiver(port, []);
    server = r.server;
    // Not due yet: the backoff holds.
    expect(await worker.runOnce()).toBe(0);
    expect(r.got).toHaveLength(0);

    clock.advance(11_000);
    expect(await worker.runOnce()).toBe(2);
    expect(r.got.map((g) => g.headers['x-kcc-event'])).toEqual([
      'ticket.created',
      'ticket.escalated',
    ]);
    for (const g of r.got) {
      const [t, v1] = String(g.headers['x-kcc-signature']).split(',');
      const ts = t!.slice(2);
      const expected = createHmac('sha256', SECRET).update(`${ts}.${g.body}`).digest('hex');
      expect(v1).toBe(`v1=${expected}`);
      expect((JSON.parse(g.body) as { ticket: { id: number } }).ticket.id).toBe(id);
    }
    // Delivered once: another pass sends nothing.
    expect(await worker.runOnce()).toBe(0);
    expect(r.got).toHaveLength(2);
    const rows = await db.selectFrom('webhook_deliveries').selectAll().execute();
    expect(rows.every((d) => d.delivered_at !== null)).toBe(true);
  });

  it('retries a delivery the receiver refused, with a growing delay', async () => {
    const r = await receiver(port, [503, 500]);
    server = r.server;
    await registerAndEscalate();
    expect(await worker.runOnce()).toBe(0);
    clock.advance(11_000);
    expect(await worker.runOnce()).toBe(0);
    const after2 = await db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();
    expect(after2[0]).toMatchObject({ attempts: 2, last_status: 500 });
    const wait = Date.parse(after2[0]!.next_attempt_at) - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(18_000);
    expect(wait).toBeLessThanOrEqual(22_000);
    clock.advance(wait);
    expect(await worker.runOnce()).toBe(2);
    // The same delivery id on every try, for the receiver's de-duplication.
    expect(new Set(r.got.slice(0, 3).map((g) => g.headers['x-kcc-delivery'])).size).toBe(1);
  });

  it('backs off exponentially up to the cap', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 5000, 30_000, mid))).toEqual([
      5000, 10_000, 20_000, 30_000,
    ]);
  });
});

/**
 * Outbound webhooks to the customer's own service desk (SD-30). Ticket events are queued in
 * `webhook_deliveries` in the same transaction that records them, so an event is never lost; this
 * worker posts them in order per webhook, signed, and retries with exponential backoff until the
 * receiver takes them (2xx), for as long as it takes.
 *
 * Order: a webhook's deliveries go one at a time, oldest first; a failing one holds back the ones
 * behind it, so the receiver never sees `ticket.resolved` before `ticket.escalated`.
 *
 * Signature (the receiver checks it with the shared secret):
 *   X-KCC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 * plus X-KCC-Event (the event type) and X-KCC-Delivery (the delivery id, stable across retries,
 * for the receiver's own de-duplication).
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';

export interface WebhookWorkerOptions {
  now: () => Date;
  logger: Logger;
  /** First retry delay; doubles on each failure up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long one POST may take. */
  timeoutMs?: number;
  /** How often to look for due deliveries when idle. */
  pollMs?: number;
}

export function signature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** The delay before attempt `attempts + 1`, with ±10 % jitter so receivers are not hit in step. */
export function retryDelay(
  attempts: number,
  baseMs: number,
  maxMs: number,
  rand = Math.random,
): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.9 + 0.2 * rand()));
}

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<number> | null = null;
  private readonly base: number;
  private readonly max: number;
  private readonly timeout: number;
  private readonly poll: number;

  constructor(
    private readonly db: Db,
    private readonly opts: WebhookWorkerOptions,
  ) {
    this.base = opts.baseDelayMs ?? 5_000;
    this.max = opts.maxDelayMs ?? 3_600_000;
    this.timeout = opts.timeoutMs ?? 10_000;
    this.poll = opts.pollMs ?? 2_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy?.catch(() => 0);
  }

  /** Wakes the worker now (a new event was queued). */
  nudge(): void {
    if (this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => {
        if (this.running) this.schedule(this.poll);
      });
    }, ms);
    this.timer.unref();
  }

  /** Delivers what is due now; resolves with the number delivered. One pass at a time. */
  runOnce(): Promise<number> {
    if (this.busy) return this.busy;
    this.busy = this.deliverDue().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async deliverDue(): Promise<number> {
    const now = this.opts.now().toISOString();
    const heads = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.webhook_id', (eb) => eb.fn.min('d.id').as('first')])
      .where('d.delivered_at', 'is', null)
      .where('w.active', '=', 1)
      .groupBy('d.webhook_id')
      .execute();
    let delivered = 0;
    for (const head of heads) {
      // Oldest first; stop this webhook at its first failure or not-yet-due delivery.
      for (;;) {
        const d = await this.db
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
          .select([
            'd.id',
            'd.payload',
            'd.attempts',
            'd.next_attempt_at',
            'w.url',
            'w.secret',
            'w.active',
          ])
          .where('d.webhook_id', '=', head.webhook_id)
          .where('d.delivered_at', 'is', null)
          .orderBy('d.id')
          .limit(1)
          .executeTakeFirst();
        if (!d || d.active !== 1 || d.next_attempt_at > now) break;
        const ok = await this.post(d.id, d.url, d.secret, d.payload, d.attempts);
        if (!ok) break;
        delivered += 1;
      }
    }
    return delivered;
  }

  private async post(
    id: number,
    url: string,
    secret: string,
    body: string,
    attempts: number,
  ): Promise<boolean> {
    const type = (JSON.parse(body) as { type?: string }).type ?? 'ticket.event';
    const ts = Math.floor(this.opts.now().getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'KCC-ServiceDesk-Webhook/1',
          'x-kcc-event': type,
          'x-kcc-delivery': String(id),
          'x-kcc-signature': signature(secret, ts, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeout),
        redirect: 'error',
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    }
    const at = this.opts.now();
    if (error === null) {
      await this.db
        .updateTable('webhook_deliveries')
        .set({
          delivered_at: at.toISOString(),
          attempts: attempts + 1,
          last_status: status,
          last_error: null,
        })
        .where('id', '=', id)
        .execute();
      return true;
    }
    const next = new Date(at.getTime() + retryDelay(attempts + 1, this.base, this.max));
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        attempts: attempts + 1,
        next_attempt_at: next.toISOString(),
        last_status: status,
        last_error: error.slice(0, 500),
      })
      .where('id', '=', id)
      .execute();
    // The URL may carry a token in its query: log the host only.
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      /* keep as is */
    }
    this.opts.logger.warn(
      { delivery: id, host, attempts: attempts + 1, error, retryAt: next.toISOString() },
      'webhook delivery failed; will retry',
    );
    return false;
  }
}

/**
 * The customer's own systems: API clients (bearer tokens for the tickets API) and webhook
 * subscriptions. Tokens are stored as SHA-256 hashes and shown once, at creation; webhook secrets
 * are stored as they are, since signing needs them, and shown once too.
 */
import { AppError } from '../admin/errors.js';
import type { Crypto } from '../admin/crypto.js';
import type { Db } from '../db/database.js';

export const WEBHOOK_EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.reopened',
  'ticket.escalated',
  'ticket.callback_attempt',
  'ticket.commented',
  'ticket.linked',
  'ticket.correction_requested',
  'ticket.callback_breached',
  'ticket.resolution_overdue',
] as const;

const TOKEN_PREFIX = 'kcc_';

export class Integrations {
  constructor(
    private readonly db: Db,
    private readonly crypto: Crypto,
    private readonly now: () => Date,
  ) {}

  async createToken(
    name: string,
    by: string,
  ): Promise<{ id: number; name: string; token: string }> {
    const exists = await this.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (exists)
      throw new AppError(409, 'duplicate', `name: an API client "${name}" exists`, {
        field: 'name',
      });
    const token = TOKEN_PREFIX + this.crypto.randomToken(32);
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        name,
        token_hash: this.crypto.sha256(token),
        created_by: by,
        created_at: this.now().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, name, token };
  }

  async listTokens() {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdBy: r.created_by,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  async revokeToken(id: number): Promise<void> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.now().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0)
      throw new AppError(404, 'not_found', `No active API client ${id}`);
  }

  /** The client's name for a valid token; records its use at most once a minute. */
  readonly resolveToken = async (token: string): Promise<string | null> => {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'last_used_at'])
      .where('token_hash', '=', this.crypto.sha256(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const now = this.now();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    return row.name;
  };

  async createWebhook(
    url: string,
    events: string[],
    by: string,
  ): Promise<{ id: number; url: string; events: string[]; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError(400, 'validation', 'url: not a URL', { field: 'url' });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new AppError(400, 'validation', 'url: only http and https', { field: 'url' });
    }
    const unknown = events.filter(
      (e) => e !== '*' && !(WEBHOOK_EVENTS as readonly string[]).includes(e),
    );
    if (unknown.length) {
      throw new AppError(400, 'validation', `events: unknown ${unknown.join(', ')}`, {
        field: 'events',
      });
    }
    const secret = this.crypto.randomToken(32);
    const row = await this.db
      .insertInto('webhooks')
      .values({
        url,
        secret,
        events: JSON.stringify(events.length ? events : ['*']),
        created_by: by,
        created_at: this.now().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, url, events: events.length ? events : ['*'], secret };
  }

  async listWebhooks() {
    const hooks = await this.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
    const stats = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => [
        'webhook_id',
        eb.fn.countAll<number>().as('total'),
        eb.fn
          .sum<number>(eb.case().when('delivered_at', 'is', null).then(1).else(0).end())
          .as('pending'),
        eb.fn.max('last_error').as('lastError'),
      ])
      .groupBy('webhook_id')
      .execute();
    return hooks.map((h) => {
      const s = stats.find((x) => x.webhook_id === h.id);
      return {
        id: h.id,
        url: h.url,
        events: JSON.parse(h.events) as string[],
        active: h.active === 1,
        createdAt: h.created_at,
        deliveries: Number(s?.total ?? 0),
        pending: Number(s?.pending ?? 0),
      };
    });
  }

  async deleteWebhook(id: number): Promise<void> {
    const r = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError(404, 'not_found', `No webhook ${id}`);
  }
}

/**
 * The one WebSocket of the console (`/api/ws`). A client subscribes to topics; each topic needs a
 * permission, checked at subscribe time against the client's session. Events are pushed as
 * `{type:'event', topic, event, data}`. A socket whose session ends is closed with code 4401.
 */
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Session } from '../admin/auth-service.js';
import type { AuthService } from '../admin/auth-service.js';
import type { Permission } from '../admin/roles.js';
import { SESSION_COOKIE } from './guard.js';

export const TOPICS = {
  calls: 'calls:read',
  summary: 'summary:read',
  health: 'health:read',
  /** Ticket changes (SD-30). */
  tickets: 'tickets:work',
  /** Service Desk clocks that ran out: the supervisor's alerts (LINE-5, QA-12). */
  'servicedesk-alerts': 'tickets:supervise',
  /** Internal chat: events go only to the conversation's participants (`publishTo`). */
  chat: 'chat:use',
  /** Operator status changes (`agent.status`): the supervisor's floor. */
  agents: 'floor:read',
  /**
   * Staffing alerts (`staffing.changed`, STAFF-7/8/9): for those who run the floor and can act
   * on them. Not the observer's: OBS-13 gives it the availability figures, and the operators'
   * counts by status are among them.
   */
  staffing: 'floor:read',
  /** The availability figures (`availability.changed`): counts and times only (OBS-13). */
  availability: 'availability:read',
} as const satisfies Record<string, Permission>;
export type Topic = keyof typeof TOPICS;

interface Client {
  socket: WebSocket;
  /** The connection under the WebSocket (see `cork`). */
  stream: Writable | null;
  session: Session;
  topics: Set<Topic>;
  alive: boolean;
}

const MAX_MESSAGE_BYTES = 4096;

export class LiveHub {
  private readonly clients = new Set<Client>();
  private readonly corked = new Set<Writable>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly heartbeatMs = 25_000,
  ) {}

  /** Whether any client is subscribed to `topic` (so work for it can be skipped when none is). */
  listening(topic: Topic): boolean {
    for (const client of this.clients) if (client.topics.has(topic)) return true;
    return false;
  }

  get size(): number {
    return this.clients.size;
  }

  register(app: FastifyInstance): void {
    app.get(
      '/api/ws',
      { websocket: true, config: { anyUser: true }, schema: { hide: true } },
      (socket, req) => {
        const session = req.session;
        if (!session) {
          socket.close(4401, 'Sign in first');
          return;
        }
        this.attach(socket, session, req.raw.socket);
      },
    );
    this.timer = setInterval(() => void this.sweep(), this.heartbeatMs);
    this.timer.unref();
    app.addHook('onClose', async () => this.close());
  }

  private attach(socket: WebSocket, session: Session, stream: Writable | null): void {
    const client: Client = { socket, stream, session, topics: new Set(), alive: true };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => this.clients.delete(client));
    socket.on('message', (raw, isBinary) => {
      if (isBinary || (raw as Buffer).length > MAX_MESSAGE_BYTES) {
        this.send(client, { type: 'error', message: 'Messages are JSON text up to 4 KiB' });
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        this.send(client, { type: 'error', message: 'Message is not valid JSON' });
        return;
      }
      this.onMessage(client, msg);
    });
  }

  private onMessage(client: Client, msg: unknown): void {
    const m = msg as { type?: unknown; topics?: unknown };
    if (m.type === 'pong') return;
    if (m.type === 'subscribe' || m.type === 'unsubscribe') {
      if (!Array.isArray(m.topics) || !m.topics.every((t) => typeof t === 'string')) {
        this.send(client, { type: 'error', message: 'topics must be an array of strings' });
        return;
      }
      const granted: string[] = [];
      const denied: string[] = [];
      for (const t of m.topics as string[]) {
        const permission = (TOPICS as Record<string, Permission | undefined>)[t];
        if (m.type === 'unsubscribe') {
          client.topics.delete(t as Topic);
          granted.push(t);
        } else if (permission && client.session.user.permissions.includes(permission)) {
          client.topics.add(t as Topic);
          granted.push(t);
        } else {
          denied.push(t);
        }
      }
      this.send(client, {
        type: m.type === 'subscribe' ? 'subscribed' : 'unsubscribed',
        topics: granted,
        denied,
      });
      return;
    }
    this.send(client, { type: 'error', message: `Unknown message type ${String(m.type)}` });
  }

  publish(topic: Topic, event: string, data: unknown): void {
    // The frame is built once, and only when someone listens to the topic.
    let frame: string | null = null;
    for (const client of this.clients) {
      if (client.topics.has(topic) && client.socket.readyState === client.socket.OPEN) {
        frame ??= JSON.stringify({ type: 'event', topic, event, data });
        this.cork(client);
        client.socket.send(frame);
      }
    }
  }

  /**
   * Frames published in the same turn of the event loop (the calls of one batch of PBX events)
   * leave in one write: the connection is TLS, and every write is an encrypted record and a
   * system call of its own.
   */
  private cork(client: Client): void {
    const stream = client.stream;
    if (!stream || this.corked.has(stream)) return;
    stream.cork();
    this.corked.add(stream);
    if (this.corked.size === 1) process.nextTick(() => this.uncork());
  }

  private uncork(): void {
    for (const stream of this.corked) stream.uncork();
    this.corked.clear();
  }

  /**
   * Like `publish`, but only to the sockets of the named users: for events that concern some
   * people only, such as a message in a conversation they take part in.
   */
  publishTo(usernames: Iterable<string>, topic: Topic, event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const to = new Set(usernames);
    if (to.size === 0) return;
    const frame = JSON.stringify({ type: 'event', topic, event, data });
    for (const client of this.clients) {
      if (
        to.has(client.session.user.username) &&
        client.topics.has(topic) &&
        client.socket.readyState === client.socket.OPEN
      ) {
        this.cork(client);
        client.socket.send(frame);
      }
    }
  }

  /** Closes the sockets of a session that was logged out. */
  endSession(tokenHash: string): void {
    for (const client of this.clients) {
      if (client.session.tokenHash === tokenHash) client.socket.close(4401, 'Signed out');
    }
  }

  private send(client: Client, msg: unknown): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(msg));
  }

  /** Drops dead sockets and those whose session expired or was revoked. */
  private async sweep(): Promise<void> {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
    for (const client of this.clients) {
      const token = client.session.tokenHash;
      const still = await this.auth.resolveByHash(token);
      if (!still) client.socket.close(4401, 'Session expired');
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.clients) client.socket.close(1001, 'Controller stopping');
    this.clients.clear();
  }
}

export { SESSION_COOKIE };

/**
 * The controller's link to Asterisk over AMI. It keeps one session up: connects, pings, notices a
 * dead or silent Asterisk within a few seconds, and reconnects with exponential backoff for as
 * long as the controller runs. Actions get a time-out and an error that says what failed.
 *
 * Reconnection is handled here, the wire protocol in ami-socket.ts.
 */
import { EventEmitter } from 'node:events';
import { AmiSocket, type AmiMessage } from './ami-socket.js';
import type { Logger } from 'pino';

export type AmiEvent = AmiMessage & { Event: string };
export type AmiResponse = AmiMessage;

export interface AmiLinkOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  actionTimeoutMs: number;
  keepAliveMs: number;
  logger: Logger;
  /** Backoff bounds for reconnecting. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class AmiError extends Error {
  override name = 'AmiError';
  constructor(
    message: string,
    readonly action: string,
    readonly response?: AmiResponse,
  ) {
    super(message);
  }
}

export interface AmiLinkStatus {
  connected: boolean;
  version: string | null;
  since: string | null;
  lastError: string | null;
}

interface AmiLinkEvents {
  event: [AmiEvent];
  connected: [AmiLinkStatus];
  disconnected: [AmiLinkStatus];
}

export class AmiLink extends EventEmitter<AmiLinkEvents> {
  private client: AmiSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private status: AmiLinkStatus = { connected: false, version: null, since: null, lastError: null };
  private readonly listCollectors = new Map<string, (e: AmiEvent) => void>();
  private actionSeq = 0;

  constructor(private readonly opts: AmiLinkOptions) {
    super();
  }

  get state(): AmiLinkStatus {
    return { ...this.status };
  }

  /** Starts connecting; resolves at once. Listen for `connected`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.teardown('controller stopping');
  }

  /** Resolves once connected, or rejects after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.status.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onUp);
        reject(new Error(`Asterisk AMI not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const onUp = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onUp);
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { host, port, username, secret } = this.opts;
    const client = new AmiSocket();
    client.on('socketError', (err: Error) => {
      this.opts.logger.debug({ err }, 'AMI socket error');
    });
    try {
      await withTimeout(
        client.connect(host, port, username, secret),
        this.opts.actionTimeoutMs,
        `AMI connection to ${host}:${port} timed out`,
      );
    } catch (err) {
      client.disconnect();
      const message = describeConnectError(err, host, port);
      if (message !== this.status.lastError) this.opts.logger.warn(message);
      this.status.lastError = message;
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      client.disconnect();
      return;
    }
    this.client = client;
    client.on('event', (e: AmiMessage) => this.onEvent(e));
    client.on('close', () => {
      if (this.client === client) {
        this.teardown('Asterisk closed the AMI connection');
        this.scheduleReconnect();
      }
    });
    if (!client.connected) {
      this.teardown('Asterisk closed the AMI connection');
      this.scheduleReconnect();
      return;
    }
    try {
      const settings = await this.action({ Action: 'CoreSettings' });
      this.status.version = settings.AsteriskVersion ?? null;
    } catch {
      this.status.version = null;
    }
    this.attempt = 0;
    this.status = {
      connected: true,
      version: this.status.version,
      since: new Date().toISOString(),
      lastError: null,
    };
    this.startPinging();
    this.opts.logger.info({ version: this.status.version }, 'connected to Asterisk AMI');
    this.emit('connected', this.state);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const min = this.opts.minBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 4000;
    const delay = Math.min(max, min * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private teardown(reason: string): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('close');
      client.disconnect();
    }
    for (const collector of this.listCollectors.values()) {
      collector({ Event: '__disconnected' });
    }
    const wasConnected = this.status.connected;
    this.status = { ...this.status, connected: false, since: new Date().toISOString() };
    if (wasConnected) {
      this.status.lastError = reason;
      this.opts.logger.warn({ reason }, 'lost Asterisk AMI connection');
      this.emit('disconnected', this.state);
    }
  }

  /**
   * One ping in flight at a time, sent every `keepAliveMs`. Asterisk counts as silent when a ping
   * has gone unanswered for three intervals (3 s by default: a hang shows in health within 4 s).
   * The verdict waits one turn of the event loop (setImmediate runs after pending socket reads),
   * so a controller that was itself busy does not blame Asterisk for an answer it has not read yet.
   */
  private startPinging(): void {
    let sentAt: number | null = null;
    const silentAfterMs = 3 * this.opts.keepAliveMs;
    this.pingTimer = setInterval(() => {
      const client = this.client;
      if (!client) return;
      if (sentAt === null) {
        const at = Date.now();
        sentAt = at;
        this.action({ Action: 'Ping' }, silentAfterMs * 4).then(
          () => {
            if (sentAt === at) sentAt = null;
          },
          () => {
            if (sentAt === at) sentAt = null;
          },
        );
        return;
      }
      if (Date.now() - sentAt < silentAfterMs) return;
      setImmediate(() => {
        if (sentAt === null || this.client !== client) return;
        this.teardown('Asterisk stopped answering AMI pings');
        this.scheduleReconnect();
      });
    }, this.opts.keepAliveMs);
    this.pingTimer.unref();
  }

  private onEvent(message: AmiMessage): void {
    if (!message.Event) return;
    const event = message as AmiEvent;
    const id = event.ActionID;
    if (id) {
      const collector = this.listCollectors.get(id);
      if (collector) {
        collector(event);
        return;
      }
    }
    this.emit('event', event);
  }

  /** Sends an action and resolves with its response; rejects on error, time-out or disconnect. */
  async action(message: AmiMessage, timeoutMs = this.opts.actionTimeoutMs): Promise<AmiResponse> {
    const name = message.Action ?? 'unknown';
    const client = this.client;
    if (!client) throw new AmiError(`cannot send ${name}: Asterisk is not connected`, name);
    const ActionID = message.ActionID ?? `kcc-${++this.actionSeq}`;
    let response: AmiResponse;
    try {
      response = await withTimeout(
        client.action({ ...message, ActionID }),
        timeoutMs,
        `${name} got no answer from Asterisk within ${timeoutMs} ms`,
      );
    } catch (err) {
      if (err instanceof AmiError) throw err;
      const msg = err instanceof Error ? err.message : `${name} failed: connection closed`;
      throw new AmiError(msg || `${name} failed: connection closed`, name);
    }
    if (response.Response === 'Error') {
      throw new AmiError(`${name} failed: ${response.Message ?? 'error'}`, name, response);
    }
    return response;
  }

  /**
   * Sends an action whose answer is a list of events ending in `completeEvent`
   * (CoreShowChannels, QueueStatus …) and resolves with them.
   */
  async actionList(
    message: AmiMessage,
    completeEvent: string,
    timeoutMs = this.opts.actionTimeoutMs,
  ): Promise<AmiEvent[]> {
    const name = message.Action ?? 'unknown';
    const ActionID = `kcc-${++this.actionSeq}`;
    const events: AmiEvent[] = [];
    const done = new Promise<AmiEvent[]>((resolve, reject) => {
      this.listCollectors.set(ActionID, (e) => {
        if (e.Event === '__disconnected') reject(new AmiError(`${name}: connection lost`, name));
        else if (e.Event === completeEvent) resolve(events);
        else events.push(e);
      });
    });
    try {
      await this.action({ ...message, ActionID }, timeoutMs);
      return await withTimeout(done, timeoutMs, `${name} list did not complete in ${timeoutMs} ms`);
    } finally {
      this.listCollectors.delete(ActionID);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AmiError(message, 'timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function describeConnectError(err: unknown, host: string, port: number): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ECONNREFUSED') return `Asterisk AMI refused the connection at ${host}:${port}`;
  if (e?.name === 'AmiAuthError' || /auth/i.test(e?.message ?? '')) {
    return `Asterisk AMI rejected the controller's login (${e?.message ?? 'auth error'})`;
  }
  if (e instanceof Error) return `Asterisk AMI at ${host}:${port}: ${e.message}`;
  return `Asterisk AMI at ${host}:${port} is unreachable`;
}

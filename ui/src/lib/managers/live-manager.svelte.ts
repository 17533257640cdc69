/* eslint-disable svelte/prefer-svelte-reactivity -- topic counts and handler sets are bookkeeping; what the UI renders is in $state fields */
import type { Ticket, TicketEvent } from '../servicedesk/types';
import type { ChatConversationEvent, ChatMessageEvent, ChatReadEvent } from '../chat/types';
import type { Call, Health, Summary } from '../types';
import type { AgentView } from '../agents/types';
import type { Availability, StaffingState } from '../supervision/types';

/** Topics the client may subscribe to on `/api/ws`. */
export const TOPICS = [
  'calls',
  'health',
  'summary',
  'tickets',
  'servicedesk-alerts',
  'chat',
  'agents',
  'staffing',
  'availability',
] as const;
export type Topic = (typeof TOPICS)[number];

/** Event name → payload pushed by the controller. */
export interface LiveEvents {
  'call.updated': Call;
  'health.changed': Health;
  'summary.changed': Summary;
  'ticket.changed': { ticket: Ticket; event: TicketEvent };
  'ticket.callback_breached': { kind: 'callback'; ticket: Ticket; at: string };
  'ticket.resolution_breached': { kind: 'resolution'; ticket: Ticket; at: string };
  'chat.message': ChatMessageEvent;
  'chat.read': ChatReadEvent;
  'chat.conversation': ChatConversationEvent;
  'agent.status': AgentView;
  'staffing.changed': StaffingState;
  'availability.changed': Availability;
}
export type LiveEventName = keyof LiveEvents;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting';

type ServerMessage =
  | { type: 'subscribed'; topics: string[]; denied?: string[] }
  | { type: 'unsubscribed'; topics: string[] }
  | { type: 'event'; topic: string; event: string; data: unknown }
  | { type: 'ping' }
  | { type: 'error'; message?: string; code?: string };

/** The subset of the browser WebSocket the manager uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveManagerOptions {
  createSocket?: (url: string) => SocketLike;
  url?: () => string;
  /** First retry delay; doubles on each failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

const OPEN = 1;
/** Close code the controller uses when the session behind the socket has ended. */
export const CLOSE_SESSION_EXPIRED = 4401;

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws`;
}

type Handler<E extends LiveEventName> = (data: LiveEvents[E]) => void;

/**
 * The one WebSocket of the console. Components subscribe to topics and listen to typed events;
 * the manager reconnects with exponential backoff and subscribes again after each reconnect.
 */
export class LiveManager {
  #state = $state<ConnectionState>('idle');
  #granted = $state<Topic[]>([]);
  #denied = $state<Topic[]>([]);
  #lastEventAt = $state<number | null>(null);

  #socket: SocketLike | null = null;
  #wanted = false;
  #attempt = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #unsubscribeTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #topics = new Map<Topic, number>();
  readonly #handlers = new Map<LiveEventName, Set<(data: never) => void>>();
  readonly #resyncHandlers = new Set<() => void>();
  /** Called when the server confirms a topic: what was published before that was not seen. */
  readonly #subscribedHandlers = new Map<Topic, Set<() => void>>();
  readonly #options: Required<LiveManagerOptions>;
  #listening = false;

  /** Called when the server closes with 4401: the session is gone. */
  onSessionExpired: (() => void) | null = null;

  constructor(options: LiveManagerOptions = {}) {
    this.#options = {
      createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
      url: options.url ?? defaultUrl,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      random: options.random ?? Math.random,
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get granted(): readonly Topic[] {
    return this.#granted;
  }

  get denied(): readonly Topic[] {
    return this.#denied;
  }

  get lastEventAt(): number | null {
    return this.#lastEventAt;
  }

  /** Opens the socket (after login) and keeps it open until disconnect(). */
  connect(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#attempt = 0;
    this.#everOpened = false;
    this.#listenToBrowser();
    this.#open();
  }

  /** Closes the socket for good (logout, session expired). */
  disconnect(): void {
    this.#wanted = false;
    this.#clearRetry();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      socket.close(1000, 'logout');
    }
    this.#state = 'idle';
    this.#granted = [];
    this.#denied = [];
  }

  /** Asks for the topics while the caller needs them; returns the release function. */
  subscribe(topics: readonly Topic[]): () => void {
    let added = false;
    for (const topic of topics) {
      const count = this.#topics.get(topic);
      // A topic released a moment ago is still subscribed on the server: no need to ask again.
      if (count === undefined) added = true;
      this.#topics.set(topic, (count ?? 0) + 1);
    }
    if (added) this.#sendSubscribe();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const topic of topics) {
        this.#topics.set(topic, Math.max(0, (this.#topics.get(topic) ?? 1) - 1));
      }
      this.#scheduleUnsubscribe();
    };
  }

  /**
   * Unsubscribes released topics after the current task, so that a view swapped for another that
   * needs the same topic (supervisor page → wallboard) keeps its subscription without a gap.
   */
  #scheduleUnsubscribe(): void {
    if (this.#unsubscribeTimer !== null) return;
    this.#unsubscribeTimer = setTimeout(() => {
      this.#unsubscribeTimer = null;
      const dropped = [...this.#topics].filter(([, count]) => count === 0).map(([topic]) => topic);
      for (const topic of dropped) this.#topics.delete(topic);
      if (dropped.length > 0) this.#send({ type: 'unsubscribe', topics: dropped });
    }, 0);
  }

  /** Listens to one event; returns the function that stops listening. */
  on<E extends LiveEventName>(event: E, handler: Handler<E>): () => void {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    set.add(handler as (data: never) => void);
    return () => {
      set.delete(handler as (data: never) => void);
    };
  }

  /** Called after a reconnect: events may have been missed, so reload from REST. */
  onResync(handler: () => void): () => void {
    this.#resyncHandlers.add(handler);
    return () => {
      this.#resyncHandlers.delete(handler);
    };
  }

  /**
   * What every live view does: subscribes to `topic`, applies `event`'s data with `handler`, and
   * reloads from REST with `reload` after a reconnect. Returns the function that undoes it all.
   */
  follow<E extends LiveEventName>(
    topic: Topic,
    event: E,
    handler: Handler<E>,
    reload: () => void,
  ): () => void {
    const release = this.subscribe([topic]);
    const off = this.on(event, handler);
    const offResync = this.onResync(reload);
    // A first load can finish before the subscription is in place; whatever changed in between
    // would be lost, so load again once the server confirms the topic.
    let confirmed = this.#subscribedHandlers.get(topic);
    if (!confirmed) {
      confirmed = new Set();
      this.#subscribedHandlers.set(topic, confirmed);
    }
    confirmed.add(reload);
    return () => {
      off();
      offResync();
      confirmed.delete(reload);
      release();
    };
  }

  /** Test and debugging aid: the topics currently wanted. */
  get topics(): Topic[] {
    return [...this.#topics].filter(([, count]) => count > 0).map(([topic]) => topic);
  }

  #open(): void {
    if (!this.#wanted) return;
    this.#clearRetry();
    this.#state = this.#everOpened || this.#attempt > 0 ? 'reconnecting' : 'connecting';
    let socket: SocketLike;
    try {
      socket = this.#options.createSocket(this.#options.url());
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      const resync = this.#everOpened;
      this.#everOpened = true;
      this.#state = 'open';
      if (this.topics.length === 0) this.#attempt = 0;
      this.#sendSubscribe();
      if (resync) for (const handler of [...this.#resyncHandlers]) handler();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#handleMessage(socket, event.data);
    };
    socket.onerror = () => {
      // onclose follows and schedules the retry.
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#granted = [];
      this.#denied = [];
      if (event.code === CLOSE_SESSION_EXPIRED) {
        this.#wanted = false;
        this.#state = 'idle';
        this.onSessionExpired?.();
        return;
      }
      this.#scheduleRetry();
    };
  }

  #handleMessage(socket: SocketLike, raw: unknown): void {
    if (typeof raw !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'ping':
        socket.send(JSON.stringify({ type: 'pong' }));
        return;
      case 'subscribed': {
        this.#attempt = 0;
        const topics = message.topics.filter(isTopic);
        this.#granted = [...new Set([...this.#granted, ...topics])];
        this.#denied = (message.denied ?? []).filter(isTopic);
        for (const topic of topics) {
          for (const handler of this.#subscribedHandlers.get(topic) ?? []) handler();
        }
        return;
      }
      case 'unsubscribed':
        this.#granted = this.#granted.filter((topic) => !message.topics.includes(topic));
        return;
      case 'event': {
        if (!isTopic(message.topic) || !this.#topics.get(message.topic)) return;
        this.#lastEventAt = Date.now();
        const handlers = this.#handlers.get(message.event as LiveEventName);
        if (!handlers) return;
        for (const handler of [...handlers]) {
          try {
            (handler as (data: unknown) => void)(message.data);
          } catch (error) {
            console.error('live event handler failed', message.event, error);
          }
        }
        return;
      }
      default:
        return;
    }
  }

  #sendSubscribe(): void {
    const topics = this.topics;
    if (topics.length > 0) this.#send({ type: 'subscribe', topics });
  }

  #send(message: unknown): void {
    const socket = this.#socket;
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(message));
  }

  #scheduleRetry(): void {
    if (!this.#wanted) return;
    this.#state = 'reconnecting';
    const { baseDelayMs, maxDelayMs, random } = this.#options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** this.#attempt);
    // Full jitter in the upper half, so that many consoles do not reconnect in step.
    const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
    this.#attempt += 1;
    this.#clearRetry();
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#open();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  /** Retry at once when the network comes back or the tab is shown again. */
  #listenToBrowser(): void {
    if (this.#listening || typeof window === 'undefined') return;
    this.#listening = true;
    const retryNow = () => {
      if (this.#wanted && this.#socket === null && this.#retryTimer !== null) {
        this.#attempt = 0;
        this.#open();
      }
    };
    window.addEventListener('online', retryNow);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') retryNow();
    });
  }
}

function isTopic(value: unknown): value is Topic {
  return (TOPICS as readonly unknown[]).includes(value);
}

export const live = new LiveManager();

import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import type { Call, CallList } from '../types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

/** How long an ended call stays in the live list before it disappears. */
export const ENDED_LINGER_MS = 5_000;

function newestFirst(a: Call, b: Call): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt);
}

/** Calls in progress: loaded from `/api/calls/live`, then kept current by `call.updated` events. */
export class LiveCallsManager {
  #calls = $state.raw<Call[]>([]);
  #loaded = $state(false);
  #error = $state.raw<ApiError | null>(null);
  /** Events that arrive while a load is in flight, replayed on top of its result. */
  #pending: Call[] | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers, not rendered state
  readonly #removals = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;
  readonly #lingerMs: number;

  constructor(
    client: ApiClient = defaultApi,
    liveManager: LiveManager = defaultLive,
    lingerMs = ENDED_LINGER_MS,
  ) {
    this.#api = client;
    this.#live = liveManager;
    this.#lingerMs = lingerMs;
  }

  get calls(): Call[] {
    return this.#calls;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): ApiError | null {
    return this.#error;
  }

  start(): () => void {
    return this.#usage.acquire(() => {
      void this.load();
      return this.#live.follow(
        'calls',
        'call.updated',
        (call) => this.apply(call),
        () => void this.load(),
      );
    });
  }

  async load(): Promise<void> {
    this.#pending = [];
    try {
      const { items } = await this.#api.get<CallList>('/api/calls/live');
      const pending = this.#pending ?? [];
      this.#pending = null;
      this.#calls = [...items].sort(newestFirst);
      for (const id of [...this.#removals.keys()]) {
        if (!items.some((call) => call.id === id)) this.#cancelRemoval(id);
      }
      for (const call of items) if (call.state === 'ended') this.#scheduleRemoval(call.id);
      for (const call of pending) this.apply(call);
      this.#error = null;
      this.#loaded = true;
    } catch (error) {
      const pending = this.#pending ?? [];
      this.#pending = null;
      for (const call of pending) this.apply(call);
      this.#error = toApiError(error);
    }
  }

  /** Applies one `call.updated` event. */
  apply(call: Call): void {
    if (this.#pending) {
      this.#pending.push(call);
      return;
    }
    const index = this.#calls.findIndex((c) => c.id === call.id);
    if (index === -1) {
      this.#calls = [...this.#calls, call].sort(newestFirst);
    } else {
      const next = [...this.#calls];
      next[index] = call;
      this.#calls = next;
    }
    if (call.state === 'ended') this.#scheduleRemoval(call.id);
    else this.#cancelRemoval(call.id);
  }

  reset(): void {
    for (const id of [...this.#removals.keys()]) this.#cancelRemoval(id);
    this.#calls = [];
    this.#loaded = false;
    this.#error = null;
  }

  #scheduleRemoval(id: string): void {
    if (this.#removals.has(id)) return;
    this.#removals.set(
      id,
      setTimeout(() => {
        this.#removals.delete(id);
        this.#calls = this.#calls.filter((c) => c.id !== id);
      }, this.#lingerMs),
    );
  }

  #cancelRemoval(id: string): void {
    const timer = this.#removals.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#removals.delete(id);
  }
}

export const liveCalls = new LiveCallsManager();

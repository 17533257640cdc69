import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import { almatyDay, startOfAlmatyDay, toIso } from '../format';
import type { Call, CallList } from '../types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

const DAY_CHECK_MS = 60_000;

function newestFirst(a: Call, b: Call): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt);
}

/** Calls started since 00:00 Almaty, newest first, kept current by `call.updated` events. */
export class TodayCallsManager {
  #calls = $state.raw<Call[]>([]);
  #loaded = $state(false);
  #loading = $state(false);
  #error = $state.raw<ApiError | null>(null);
  /** 00:00 today in Almaty, epoch ms. */
  #from = startOfAlmatyDay(Date.now());
  #day = almatyDay();
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;

  constructor(client: ApiClient = defaultApi, liveManager: LiveManager = defaultLive) {
    this.#api = client;
    this.#live = liveManager;
  }

  get calls(): Call[] {
    return this.#calls;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get error(): ApiError | null {
    return this.#error;
  }

  start(): () => void {
    return this.#usage.acquire(() => {
      void this.load();
      const unfollow = this.#live.follow(
        'calls',
        'call.updated',
        (call) => this.apply(call),
        () => void this.load(),
      );
      // A new day in Almaty starts a new list.
      const timer = setInterval(() => {
        if (almatyDay() !== this.#day) void this.load();
      }, DAY_CHECK_MS);
      return () => {
        clearInterval(timer);
        unfollow();
      };
    });
  }

  async load(): Promise<void> {
    const now = Date.now();
    this.#from = startOfAlmatyDay(now);
    this.#day = almatyDay(now);
    this.#loading = true;
    try {
      const { items } = await this.#api.get<CallList>('/api/calls', {
        query: { from: toIso(this.#from), to: toIso(now) },
      });
      // Keep calls that events brought in while the request was on its way.
      const arrived = this.#calls.filter(
        (call) => Date.parse(call.startedAt) >= now && !items.some((item) => item.id === call.id),
      );
      this.#calls = [...arrived, ...items].sort(newestFirst);
      this.#error = null;
      this.#loaded = true;
    } catch (error) {
      this.#error = toApiError(error);
    } finally {
      this.#loading = false;
    }
  }

  apply(call: Call): void {
    if (Date.parse(call.startedAt) < this.#from) return;
    const index = this.#calls.findIndex((c) => c.id === call.id);
    if (index === -1) {
      this.#calls = [call, ...this.#calls].sort(newestFirst);
    } else {
      const next = [...this.#calls];
      next[index] = call;
      this.#calls = next;
    }
  }

  reset(): void {
    this.#calls = [];
    this.#loaded = false;
    this.#error = null;
  }
}

export const todayCalls = new TodayCallsManager();

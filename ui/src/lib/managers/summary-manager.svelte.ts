import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import type { Summary } from '../types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

export const SUMMARY_POLL_MS = 60_000;

/** Today's headline figures (active calls, calls today, answered today). */
export class SummaryManager {
  #summary = $state.raw<Summary | null>(null);
  #error = $state.raw<ApiError | null>(null);
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;

  constructor(client: ApiClient = defaultApi, liveManager: LiveManager = defaultLive) {
    this.#api = client;
    this.#live = liveManager;
  }

  get summary(): Summary | null {
    return this.#summary;
  }

  get error(): ApiError | null {
    return this.#error;
  }

  start(): () => void {
    return this.#usage.acquire(() => {
      void this.load();
      const unfollow = this.#live.follow(
        'summary',
        'summary.changed',
        (summary) => {
          this.#summary = summary;
          this.#error = null;
        },
        () => void this.load(),
      );
      const timer = setInterval(() => void this.load(), SUMMARY_POLL_MS);
      return () => {
        clearInterval(timer);
        unfollow();
      };
    });
  }

  async load(): Promise<void> {
    try {
      this.#summary = await this.#api.get<Summary>('/api/calls/summary');
      this.#error = null;
    } catch (error) {
      this.#error = toApiError(error);
    }
  }

  reset(): void {
    this.#summary = null;
    this.#error = null;
  }
}

export const summaryManager = new SummaryManager();

import { api as defaultApi, ApiError, type ApiClient } from '../api';
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
      const release = this.#live.subscribe(['summary']);
      const off = this.#live.on('summary.changed', (summary) => {
        this.#summary = summary;
        this.#error = null;
      });
      const offResync = this.#live.onResync(() => void this.load());
      const timer = setInterval(() => void this.load(), SUMMARY_POLL_MS);
      return () => {
        clearInterval(timer);
        off();
        offResync();
        release();
      };
    });
  }

  async load(): Promise<void> {
    try {
      this.#summary = await this.#api.get<Summary>('/api/calls/summary');
      this.#error = null;
    } catch (error) {
      this.#error = error instanceof ApiError ? error : new ApiError(0, 'network', String(error));
    }
  }

  reset(): void {
    this.#summary = null;
    this.#error = null;
  }
}

export const summaryManager = new SummaryManager();

import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import type { Availability } from '../supervision/types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

/** A safety net under the live pushes: also catches the new day's figures at midnight. */
export const AVAILABILITY_POLL_MS = 60_000;

/**
 * The center's availability figures (OBS-13): loaded from REST, replaced by each
 * `availability.changed` push, polled as a fallback. Holds one set of figures, never a history,
 * so a wall monitor can run for days.
 */
export class AvailabilityManager {
  #figures = $state.raw<Availability | null>(null);
  /** When the figures arrived (browser clock), to age "waiting longest" between pushes. */
  #receivedAt = $state<number>(0);
  #error = $state.raw<ApiError | null>(null);
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;
  readonly #pollMs: number;

  constructor(
    client: ApiClient = defaultApi,
    liveManager: LiveManager = defaultLive,
    pollMs = AVAILABILITY_POLL_MS,
  ) {
    this.#api = client;
    this.#live = liveManager;
    this.#pollMs = pollMs;
  }

  get figures(): Availability | null {
    return this.#figures;
  }

  get receivedAt(): number {
    return this.#receivedAt;
  }

  get error(): ApiError | null {
    return this.#error;
  }

  /** Starts loading and listening; returns the stop function (use from onMount). */
  start(): () => void {
    return this.#usage.acquire(() => {
      void this.load();
      const unfollow = this.#live.follow(
        'availability',
        'availability.changed',
        (figures) => this.#set(figures),
        () => void this.load(),
      );
      const timer = setInterval(() => void this.load(), this.#pollMs);
      return () => {
        clearInterval(timer);
        unfollow();
      };
    });
  }

  async load(): Promise<void> {
    try {
      this.#set(await this.#api.get<Availability>('/api/availability'));
    } catch (error) {
      this.#error = toApiError(error);
    }
  }

  reset(): void {
    this.#figures = null;
    this.#receivedAt = 0;
    this.#error = null;
  }

  #set(figures: Availability): void {
    // A slow REST answer must not replace newer figures that a push brought meanwhile.
    if (this.#figures && figures.at < this.#figures.at) return;
    this.#figures = figures;
    this.#receivedAt = Date.now();
    this.#error = null;
  }
}

export const availabilityManager = new AvailabilityManager();

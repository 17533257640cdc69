import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import type { Staffing, StaffingAlert, StaffingEvent } from '../supervision/types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

export const STAFFING_POLL_MS = 60_000;

/**
 * Staffing alerts (STAFF-7/8/9) for the supervisor page and the wall monitor: the current alerts
 * from each `staffing.changed` push, and the short journal the controller keeps (reloaded with
 * each change, so nothing accumulates here).
 */
export class StaffingManager {
  #alerts = $state.raw<StaffingAlert[]>([]);
  #open = $state<boolean | null>(null);
  #history = $state.raw<StaffingEvent[]>([]);
  #loaded = $state(false);
  #error = $state.raw<ApiError | null>(null);
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;

  constructor(client: ApiClient = defaultApi, liveManager: LiveManager = defaultLive) {
    this.#api = client;
    this.#live = liveManager;
  }

  get alerts(): readonly StaffingAlert[] {
    return this.#alerts;
  }

  /** Whether the center is open (null until known). */
  get open(): boolean | null {
    return this.#open;
  }

  get history(): readonly StaffingEvent[] {
    return this.#history;
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
      const unfollow = this.#live.follow(
        'staffing',
        'staffing.changed',
        (state) => {
          this.#alerts = state.alerts;
          this.#open = state.open;
          void this.load();
        },
        () => void this.load(),
      );
      const timer = setInterval(() => void this.load(), STAFFING_POLL_MS);
      return () => {
        clearInterval(timer);
        unfollow();
      };
    });
  }

  async load(): Promise<void> {
    try {
      const body = await this.#api.get<Staffing>('/api/supervision/staffing?historyLimit=10');
      this.#alerts = body.alerts;
      this.#open = body.open;
      this.#history = body.history;
      this.#error = null;
    } catch (error) {
      this.#error = toApiError(error);
    } finally {
      this.#loaded = true;
    }
  }

  reset(): void {
    this.#alerts = [];
    this.#open = null;
    this.#history = [];
    this.#loaded = false;
    this.#error = null;
  }
}

export const staffingManager = new StaffingManager();

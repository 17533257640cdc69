import { api as defaultApi, toApiError, type ApiClient, type ApiError } from '../api';
import type { Health } from '../types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

export type Level = 'ok' | 'warn' | 'bad' | 'unknown';

export const HEALTH_POLL_MS = 30_000;

/** Disk: amber below 15 % free, red below 5 %. */
export function diskLevel(health: Health): Level {
  const free = 100 - health.disk.usedPercent;
  if (free < 5) return 'bad';
  if (free < 15) return 'warn';
  return 'ok';
}

/** CPU: amber from 80 %, red from 95 %. */
export function loadLevel(health: Health): Level {
  if (health.load.cpuPercent >= 95) return 'bad';
  if (health.load.cpuPercent >= 80) return 'warn';
  return 'ok';
}

export function overallLevel(health: Health | null): Level {
  if (!health) return 'unknown';
  if (health.db === 'error' || !health.pbx.connected) return 'bad';
  if (health.status !== 'ok') return 'warn';
  return 'ok';
}

/** The appliance's health: loaded from REST, refreshed by WebSocket events and a 30 s poll. */
export class HealthManager {
  #health = $state.raw<Health | null>(null);
  #error = $state.raw<ApiError | null>(null);
  #loading = $state(false);
  #updatedAt = $state<number | null>(null);
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;

  constructor(client: ApiClient = defaultApi, liveManager: LiveManager = defaultLive) {
    this.#api = client;
    this.#live = liveManager;
  }

  get health(): Health | null {
    return this.#health;
  }

  get error(): ApiError | null {
    return this.#error;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get updatedAt(): number | null {
    return this.#updatedAt;
  }

  get level(): Level {
    return this.#error && !this.#health ? 'bad' : overallLevel(this.#health);
  }

  /** Starts loading and listening; returns the stop function (use from onMount). */
  start(): () => void {
    return this.#usage.acquire(() => {
      void this.load();
      const unfollow = this.#live.follow(
        'health',
        'health.changed',
        (health) => this.#set(health),
        () => void this.load(),
      );
      const timer = setInterval(() => void this.load(), HEALTH_POLL_MS);
      return () => {
        clearInterval(timer);
        unfollow();
      };
    });
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      this.#set(await this.#api.get<Health>('/api/health'));
    } catch (error) {
      this.#error = toApiError(error);
    } finally {
      this.#loading = false;
    }
  }

  reset(): void {
    this.#health = null;
    this.#error = null;
    this.#updatedAt = null;
  }

  #set(health: Health): void {
    this.#health = health;
    this.#error = null;
    this.#updatedAt = Date.now();
  }
}

export const healthManager = new HealthManager();

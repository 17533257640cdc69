import { api as defaultApi, ApiError, type ApiClient } from '../api';
import type { AuthResponse, User } from '../types';

export type SessionStatus = 'unknown' | 'restoring' | 'anonymous' | 'authenticated';

/** Who is signed in. The session itself lives in an httpOnly cookie; this mirrors it. */
export class SessionManager {
  #user = $state<User | null>(null);
  #status = $state<SessionStatus>('unknown');
  #expired = $state(false);
  #loggingOut = false;
  readonly #api: ApiClient;

  constructor(client: ApiClient = defaultApi) {
    this.#api = client;
    this.#api.setUnauthorizedHandler(() => this.expire());
  }

  get user(): User | null {
    return this.#user;
  }

  get status(): SessionStatus {
    return this.#status;
  }

  get isAuthenticated(): boolean {
    return this.#user !== null;
  }

  /** Whether the signed-in user holds a permission (`calls:read`, `summary:read` …). */
  can(permission: string): boolean {
    return this.#user?.permissions.includes(permission) ?? false;
  }

  /** True when the last session ended on the server's side (expired, revoked), not by logout. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Asks the controller whether the cookie still holds a session. */
  async restore(): Promise<User | null> {
    this.#status = 'restoring';
    try {
      const response = await this.#api.get<AuthResponse>('/api/auth/me');
      this.#accept(response);
      return response.user;
    } catch (error) {
      this.#clear();
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
      throw error;
    }
  }

  /** Throws ApiError (401 invalid_credentials, 429 locked, 0 network …) for the login form to show. */
  async login(username: string, password: string): Promise<User> {
    const response = await this.#api.post<AuthResponse>('/api/auth/login', { username, password });
    this.#expired = false;
    this.#accept(response);
    return response.user;
  }

  async logout(): Promise<void> {
    this.#loggingOut = true;
    try {
      await this.#api.post<void>('/api/auth/logout');
    } catch (error) {
      // A session that is already gone on the server is as good as logged out.
      if (!(error instanceof ApiError && (error.status === 401 || error.status === 0))) throw error;
    } finally {
      this.#loggingOut = false;
      this.#expired = false;
      this.#clear();
    }
  }

  /** The server no longer knows the session (401 on an API call, WebSocket closed with 4401). */
  expire(): void {
    // The server also closes the WebSocket with 4401 when we log out: that is not an expiry.
    if (!this.#user || this.#loggingOut) return;
    this.#expired = true;
    this.#clear();
  }

  reset(): void {
    this.#expired = false;
    this.#clear();
    this.#status = 'unknown';
  }

  #accept(response: AuthResponse): void {
    this.#api.setCsrfToken(response.csrfToken);
    this.#user = response.user;
    this.#status = 'authenticated';
  }

  #clear(): void {
    this.#api.setCsrfToken(null);
    this.#user = null;
    this.#status = 'anonymous';
  }
}

export const session = new SessionManager();

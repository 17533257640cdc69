import type { ErrorBody } from './types';

/** An error answered by the controller, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Any failure as an ApiError: what is not one already was the network's doing. */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'network', String(error));
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

function isErrorBody(value: unknown): value is Partial<ErrorBody> {
  return typeof value === 'object' && value !== null && ('message' in value || 'code' in value);
}

function codeForStatus(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'too_many_requests';
  if (status >= 500) return 'server_error';
  return 'http_error';
}

/**
 * A small JSON client for the controller. Cookies carry the session; every request that changes
 * state also carries the CSRF token received from login or `/api/auth/me`.
 */
export class ApiClient {
  #csrfToken: string | null = null;
  #language: string | null = null;
  #onUnauthorized: (() => void) | null = null;
  readonly #fetch: typeof fetch;

  constructor(fetchImpl?: typeof fetch) {
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  setCsrfToken(token: string | null): void {
    this.#csrfToken = token;
  }

  get csrfToken(): string | null {
    return this.#csrfToken;
  }

  /** Sent as Accept-Language so that the controller can word its messages in the UI language. */
  setLanguage(language: string | null): void {
    this.#language = language;
  }

  /** Called when a request outside `/api/auth/` is answered 401: the session has expired. */
  setUnauthorizedHandler(handler: (() => void) | null): void {
    this.#onUnauthorized = handler;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  delete<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#language) headers['Accept-Language'] = this.#language;
    if (method !== 'GET' && this.#csrfToken) headers['X-CSRF-Token'] = this.#csrfToken;

    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;

    let response: Response;
    try {
      response = await this.#fetch(withQuery(path, options.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
    }

    if (response.status === 204) return undefined as T;

    const text = await response.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }

    if (!response.ok) {
      const body = isErrorBody(data) ? data : {};
      const error = new ApiError(
        response.status,
        body.code ?? codeForStatus(response.status),
        body.message ?? (response.statusText || `HTTP ${response.status}`),
        typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : null,
      );
      if (response.status === 401 && !path.startsWith('/api/auth/')) this.#onUnauthorized?.();
      throw error;
    }
    return data as T;
  }
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

export const api = new ApiClient();

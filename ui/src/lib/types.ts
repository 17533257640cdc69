// Shapes of the controller's REST and WebSocket contract.

export const ROLES = [
  'operator',
  'second_line',
  'supervisor',
  'administrator',
  'observer',
] as const;
export type Role = (typeof ROLES)[number];

export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
  language: Language;
}

export interface AuthResponse {
  user: User;
  csrfToken: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  db: 'ok' | 'error';
  pbx: { connected: boolean; version: string | null; since: string | null };
  disk: { path: string; totalBytes: number; freeBytes: number; usedPercent: number };
  load: { avg1: number; cpuPercent: number };
}

export type ServiceCode = '193' | '88000800193' | '77272581500';
export type CallState = 'ringing' | 'answered' | 'ended';

export interface Call {
  id: string;
  direction: 'inbound' | 'outbound';
  did: string | null;
  service: ServiceCode | null;
  caller: string | null;
  state: CallState;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
}

export interface CallList {
  items: Call[];
}

export interface Summary {
  activeCalls: number;
  callsToday: number;
  answeredToday: number;
}

/** Error body sent by the controller for every 4xx/5xx. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  retryAfterSeconds?: number;
}

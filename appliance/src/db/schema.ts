/**
 * Kysely table types. Times are ISO-8601 UTC strings so the SQL stays portable to PostgreSQL.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Role = 'operator' | 'second_line' | 'supervisor' | 'administrator' | 'observer';
export type Language = 'kk' | 'ru' | 'en';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  language: Language;
  enabled: ColumnType<number, number | undefined, number>;
  /** SIP secret of the user's WebRTC endpoint (operators, second line, supervisors). */
  sip_secret: string | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** sha256 of the cookie token: a stolen database does not yield live sessions. */
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  username: string | null;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface ServicesTable {
  /** Canonical service number: `193`, `88000800193`, `77272581500`. */
  number: string;
  name: string;
  enabled: ColumnType<number, number | undefined, number>;
}

export interface TrunksTable {
  id: Generated<number>;
  /** Becomes the PJSIP endpoint name: lowercase letters, digits, dashes. */
  name: string;
  /** JSON array of IP addresses or CIDR ranges the carrier sends from. */
  match_addresses: string;
  enabled: ColumnType<number, number | undefined, number>;
}

export interface CallsTable {
  /** Asterisk's linkedid: one row per call however many channels it spans. */
  id: string;
  direction: 'inbound' | 'outbound';
  did_raw: string | null;
  did: string | null;
  service: string | null;
  caller: string | null;
  caller_name: string | null;
  channel: string | null;
  state: 'ringing' | 'answered' | 'ended';
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  hangup_cause: number | null;
  /** True when the end time was inferred after a gap in the event stream. */
  end_estimated: ColumnType<number, number | undefined, number>;
  /** Filled by the inbound call path: `operator`, `ivr` or `missed`. */
  outcome: string | null;
  language: string | null;
  ivr_path: string | null;
  queue: string | null;
  queue_entered_at: string | null;
  agent_user_id: number | null;
  agent_answered_at: string | null;
  wait_seconds: number | null;
  talk_seconds: number | null;
  recording_path: string | null;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  services: ServicesTable;
  trunks: TrunksTable;
  calls: CallsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type CallRow = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;

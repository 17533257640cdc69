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
  /** JSON array of the languages the user speaks (queue membership), e.g. ["kk","ru"]. */
  languages: ColumnType<string, string | undefined, string>;
  /** `webrtc` (browser softphone) or `sip` (desk phone or SIP softphone). */
  phone_type: ColumnType<'webrtc' | 'sip', 'webrtc' | 'sip' | undefined, 'webrtc' | 'sip'>;
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
  flow_id: string | null;
  /** The caller ID presented when an operator calls out for this service; null: the number. */
  outbound_caller_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TrunksTable {
  id: Generated<number>;
  /** Becomes the PJSIP endpoint name: lowercase letters, digits, dashes. */
  name: string;
  /** JSON array of IP addresses or CIDR ranges the carrier sends from. */
  match_addresses: string;
  enabled: ColumnType<number, number | undefined, number>;
  /** Where calls out through the trunk go, e.g. `sip:203.0.113.5:5060`; null: inbound only. */
  outbound_uri: string | null;
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
  outcome_reason: string | null;
  /** The operator who answered (endpoint name), for the first segment. */
  agent: string | null;
  updated_at: string;
}

export interface FlowsTable {
  id: string;
  name: string;
  published_version: number | null;
  updated_at: string;
}

export interface FlowVersionsTable {
  flow_id: string;
  version: number;
  graph: string;
  note: string | null;
  created_at: string;
  created_by: string | null;
}

export interface QueuesTable {
  name: string;
  title: string;
  language: string | null;
  member_role: Role;
  strategy: string;
  ring_seconds: number;
  wrapup_seconds: number;
  max_wait_seconds: number;
}

export interface BranchesTable {
  id: Generated<number>;
  region: string;
  name: string;
  number: string;
  /** The region (regions.id) the branch serves, for tickets; null: not tied yet. */
  region_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OfficeContactsTable {
  id: Generated<number>;
  name: string;
  department: string | null;
  number: string;
  created_at: string;
}

export interface CalendarOverridesTable {
  date: string;
  kind: 'off' | 'work';
  name: string;
  religious: ColumnType<number, number | undefined, number>;
}

export interface PromptsTable {
  name: string;
  language: string;
  version: number;
  file: string;
  source_format: string;
  duration_seconds: number;
  active: ColumnType<number, number | undefined, number>;
  created_at: string;
  created_by: string | null;
}

export interface CallbacksTable {
  id: Generated<number>;
  call_id: string;
  number: string | null;
  language: string | null;
  service: string | null;
  status: ColumnType<string, string | undefined, string>;
  created_at: string;
}

export interface RecordingsTable {
  id: Generated<number>;
  call_id: string;
  path: string;
  size_bytes: number;
  duration_seconds: number;
  created_at: string;
}

export interface CallSegmentsTable {
  id: Generated<number>;
  call_id: string;
  agent: string;
  queue: string | null;
  started_at: string;
  ended_at: string | null;
}

export interface IngestOffsetsTable {
  source: string;
  file_id: string;
  offset: number;
}

export interface RegionsTable {
  id: string;
  kind: 'region' | 'city';
  name_kk: string;
  name_ru: string;
  name_en: string;
  active: ColumnType<number, number | undefined, number>;
  sort: ColumnType<number, number | undefined, number>;
}

export interface SdServicesTable {
  id: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
  active: ColumnType<number, number | undefined, number>;
  sort: ColumnType<number, number | undefined, number>;
}

export interface TicketsTable {
  id: Generated<number>;
  type: string;
  status: string;
  line: ColumnType<string, string | undefined, string>;
  channel: string;
  subscriber_name: string | null;
  subscriber_phone: string | null;
  subscriber_account: string | null;
  region_id: string | null;
  service_id: string | null;
  branch_id: number | null;
  topic: string | null;
  description: string | null;
  assignee: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  revision: ColumnType<number, number | undefined, number>;
  escalated_at: string | null;
  callback_due_at: string | null;
  callback_done_at: string | null;
  callback_breached_at: string | null;
  resolution_due_at: string | null;
  resolution_breached_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  correction_requested_at: string | null;
  corrections: ColumnType<number, number | undefined, number>;
  api_client: string | null;
  client_key: string | null;
  client_request_hash: string | null;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: number;
  at: string;
  actor: string;
  kind: string;
  /** JSON: [{field, from, to}]. */
  changes: ColumnType<string, string | undefined, string>;
  note: string | null;
}

export interface TicketLinksTable {
  ticket_id: number;
  kind: 'call' | 'chat' | 'recording';
  ref: string;
  created_at: string;
}

export interface CallbackAttemptsTable {
  id: Generated<number>;
  ticket_id: number;
  at: string;
  by: string;
  result: string;
  call_id: string | null;
  note: string | null;
}

export interface RegistrationRejectionsTable {
  id: Generated<number>;
  at: string;
  username: string;
  type: string;
  /** JSON list of the missing fields. */
  missing: string;
}

export interface SavedFiltersTable {
  id: Generated<number>;
  username: string;
  name: string;
  /** JSON of the ticket list query. */
  query: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  secret: string;
  /** JSON list of event kinds, or ["*"]. */
  events: string;
  active: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: number;
  payload: string;
  created_at: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

/** Knowledge base (KB-16/17): see migrations/0004-knowledge-base.ts. */
export type KbStatus = 'draft' | 'published' | 'archived';

export interface KbCategoriesTable {
  id: Generated<number>;
  parent_id: number | null;
  name_kk: string;
  name_ru: string;
  name_en: string;
  position: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface KbArticlesTable {
  id: Generated<number>;
  language: 'kk' | 'ru';
  category_id: number | null;
  status: KbStatus;
  current_version: number;
  title: string;
  body: string;
  /** JSON array of tags. */
  tags: string;
  translation_id: number | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  published_at: string | null;
}

export interface KbArticleVersionsTable {
  article_id: number;
  version: number;
  language: 'kk' | 'ru';
  category_id: number | null;
  title: string;
  body: string;
  tags: string;
  note: string | null;
  created_at: string;
  created_by: string | null;
}

/** The normalised text indexed in `kb_fts` for each article (needed to remove it again). */
export interface KbSearchDocsTable {
  article_id: number;
  title: string;
  body: string;
  tags: string;
}

/** Conversations (internal chat now, messenger chats later): see migrations/0006-internal-chat.ts. */
export type ChatConversationKind = 'direct' | 'group' | 'broadcast';
export type ChatParticipantRole = 'owner' | 'member' | 'reader';
export type ChatVisibility = 'all' | 'staff-note';

export interface ChatConversationsTable {
  id: Generated<number>;
  kind: ChatConversationKind;
  name: string | null;
  unique_key: string | null;
  audience_role: Role | null;
  created_by: number | null;
  created_at: string;
  last_activity_at: string;
}

export interface ChatParticipantsTable {
  conversation_id: number;
  user_id: number;
  role: ChatParticipantRole;
  joined_at: string;
  last_read_message_id: ColumnType<number, number | undefined, number>;
}

export interface ChatMessagesTable {
  id: Generated<number>;
  conversation_id: number;
  author_id: number | null;
  body: string;
  visibility: ColumnType<ChatVisibility, ChatVisibility | undefined, ChatVisibility>;
  client_id: string | null;
  created_at: string;
}

/** Operator statuses (OP-32): see migrations/0005-agent-status.ts. */
export interface PauseReasonsTable {
  id: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
  active: ColumnType<number, number | undefined, number>;
  sort: ColumnType<number, number | undefined, number>;
  /** Set by the controller (acw, unreachable, signed_in, offline): not choosable, not editable. */
  system: ColumnType<number, number | undefined, number>;
}

export interface AgentStatusTable {
  user_id: number;
  state: 'ready' | 'not_ready' | 'after_call_work' | 'offline';
  reason: string | null;
  since: string;
  acw_until: string | null;
  unreachable: ColumnType<number, number | undefined, number>;
  unreachable_since: string | null;
  updated_at: string;
}

export interface AgentStatusLogTable {
  id: Generated<number>;
  user_id: number;
  status: string;
  reason: string | null;
  started_at: string;
  ended_at: string | null;
  set_by: string | null;
}

export interface CallDispositionsTable {
  id: Generated<number>;
  call_id: string;
  username: string;
  result: string;
  topic: string | null;
  comment: string | null;
  ticket_id: number | null;
  created_at: string;
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
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  queues: QueuesTable;
  branches: BranchesTable;
  office_contacts: OfficeContactsTable;
  calendar_overrides: CalendarOverridesTable;
  prompts: PromptsTable;
  callbacks: CallbacksTable;
  recordings: RecordingsTable;
  call_segments: CallSegmentsTable;
  ingest_offsets: IngestOffsetsTable;
  regions: RegionsTable;
  sd_services: SdServicesTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_links: TicketLinksTable;
  callback_attempts: CallbackAttemptsTable;
  registration_rejections: RegistrationRejectionsTable;
  saved_filters: SavedFiltersTable;
  api_tokens: ApiTokensTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  kb_categories: KbCategoriesTable;
  kb_articles: KbArticlesTable;
  kb_article_versions: KbArticleVersionsTable;
  kb_search_docs: KbSearchDocsTable;
  pause_reasons: PauseReasonsTable;
  agent_status: AgentStatusTable;
  agent_status_log: AgentStatusLogTable;
  chat_conversations: ChatConversationsTable;
  chat_participants: ChatParticipantsTable;
  chat_messages: ChatMessagesTable;
  call_dispositions: CallDispositionsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type CallRow = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;

// Shapes of the Service Desk API (`/api/tickets`, `/api/servicedesk`, `/api/subscribers`).

export const TICKET_TYPES = ['inquiry', 'complaint', 'technical', 'connection_request'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const TICKET_STATUSES = ['new', 'in_progress', 'escalated', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const CHANNELS = ['voice', 'telegram', 'whatsapp', 'jivosite', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CALLBACK_RESULTS = ['reached', 'no_answer', 'busy', 'wrong_number', 'other'] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];

export interface Names {
  kk: string;
  ru: string;
  en: string;
}

export interface Catalogue {
  regions: Array<{ id: string; kind: 'region' | 'city'; names: Names }>;
  services: Array<{ id: string; names: Names }>;
  branches: Array<{ id: number; name: string; regionId: string | null; region: string }>;
  types: TicketType[];
  statuses: Array<{ id: TicketStatus; next: TicketStatus[] }>;
  channels: Channel[];
  callbackResults: CallbackResult[];
  /** API field names each type requires, e.g. `subscriber.phone`. */
  required: Record<TicketType, string[]>;
  limits: {
    subscriberName: number;
    subscriberAccount: number;
    topic: number;
    description: number;
    note: number;
  };
}

export interface Ticket {
  id: number;
  type: TicketType;
  status: TicketStatus;
  line: 'first' | 'second';
  channel: Channel;
  subscriber: { name: string | null; phone: string | null; account: string | null };
  regionId: string | null;
  serviceId: string | null;
  branchId: number | null;
  topic: string | null;
  description: string | null;
  assignee: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  revision: number;
  escalatedAt: string | null;
  callback: { dueAt: string; doneAt: string | null; breachedAt: string | null } | null;
  resolution: { dueAt: string; breachedAt: string | null } | null;
  resolvedAt: string | null;
  closedAt: string | null;
  correctionRequestedAt: string | null;
  corrections: number;
}

export interface FieldChange {
  field: string;
  from: string | number | null;
  to: string | number | null;
}

export interface TicketEvent {
  id: number;
  at: string;
  actor: string;
  kind: string;
  changes: FieldChange[];
  note: string | null;
}

export interface TicketDetail {
  ticket: Ticket;
  history: TicketEvent[];
  links: Array<{ kind: 'call' | 'chat' | 'recording'; ref: string; createdAt: string }>;
  callbackAttempts: Array<{
    id: number;
    at: string;
    by: string;
    result: CallbackResult;
    callId: string | null;
    note: string | null;
  }>;
}

export interface TicketList {
  items: Ticket[];
  total: number;
}

export interface TicketQuery {
  type?: TicketType;
  status?: TicketStatus;
  regionId?: string;
  serviceId?: string;
  branchId?: number;
  channel?: Channel;
  line?: 'first' | 'second';
  overdue?: boolean;
  q?: string;
}

export interface SavedFilter {
  id: number;
  name: string;
  query: TicketQuery;
}

export interface TicketInput {
  type: TicketType;
  channel: Channel;
  subscriber: { name: string | null; phone: string | null; account: string | null };
  regionId: string | null;
  serviceId: string | null;
  branchId: number | null;
  topic: string | null;
  description: string | null;
  links?: Array<{ kind: 'call' | 'chat' | 'recording'; ref: string }>;
}

export type HistoryItem =
  | { kind: 'ticket'; at: string; ticket: Ticket }
  | {
      kind: 'call';
      at: string;
      call: {
        id: string;
        direction: 'inbound' | 'outbound';
        service: string | null;
        caller: string | null;
        startedAt: string;
        outcome: string | null;
        language: string | null;
        agent: string | null;
        talkSeconds: number | null;
      };
    };

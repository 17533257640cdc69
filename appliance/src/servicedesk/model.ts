/**
 * The Service Desk's rules as pure functions (SD-30, QA-34, LINE-5): ticket types and what each
 * must carry, the status machine, subscriber phone numbers in E.164, and the field-by-field diff
 * that becomes a ticket's history. No I/O here: the store and the service apply these.
 */
import { parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';

export const TICKET_TYPES = ['inquiry', 'complaint', 'technical', 'connection_request'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TICKET_STATUSES = ['new', 'in_progress', 'escalated', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const CHANNELS = ['voice', 'telegram', 'whatsapp', 'jivosite', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CALLBACK_RESULTS = ['reached', 'no_answer', 'busy', 'wrong_number', 'other'] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];

/** Limits of the free-text fields, checked at the edge and in the service. */
export const LIMITS = {
  subscriberName: 200,
  subscriberAccount: 40,
  topic: 200,
  description: 4000,
  note: 2000,
} as const;

/**
 * Who may go where. `resolved`/`closed` → `in_progress` is a reopen. A ticket escalated to the
 * second line goes back to the first with `in_progress`; `new` → `resolved` is a request answered
 * on the spot during the call.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['in_progress', 'escalated', 'resolved'],
  in_progress: ['escalated', 'resolved'],
  escalated: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export function allowedTransitions(from: TicketStatus): readonly TicketStatus[] {
  return TRANSITIONS[from];
}

/** Null when the move is allowed; otherwise a message a person can act on. */
export function transitionError(from: TicketStatus, to: TicketStatus): string | null {
  if (from === to) return `The ticket is already ${to}`;
  if (TRANSITIONS[from].includes(to)) return null;
  const allowed = TRANSITIONS[from].join(', ');
  return `A ${from} ticket cannot become ${to}; from ${from} it can go to: ${allowed}`;
}

/** The fields a ticket carries that people fill in (the rest the service maintains). */
export interface TicketFields {
  type: TicketType;
  channel: Channel;
  subscriberName: string | null;
  subscriberPhone: string | null;
  subscriberAccount: string | null;
  regionId: string | null;
  serviceId: string | null;
  branchId: number | null;
  topic: string | null;
  description: string | null;
  assignee: string | null;
}

export type RequiredField = Exclude<
  keyof TicketFields,
  'type' | 'channel' | 'assignee' | 'branchId'
>;

/**
 * What a correctly registered ticket of each type holds (QA-34). A complaint and a connection
 * request need the subscriber's name to answer them in writing; a technical problem needs the
 * service and region to send it to the right engineers; an inquiry needs a way to reach back.
 * `subscriberPhone|subscriberAccount` means one of the two.
 */
export const REQUIRED_FIELDS: Record<TicketType, ReadonlyArray<RequiredField | 'contact'>> = {
  inquiry: ['contact', 'regionId', 'topic'],
  complaint: ['subscriberName', 'subscriberPhone', 'regionId', 'serviceId', 'topic', 'description'],
  technical: ['subscriberPhone', 'regionId', 'serviceId', 'topic', 'description'],
  connection_request: ['subscriberName', 'subscriberPhone', 'regionId', 'serviceId'],
};

/** The API's field names, for messages that name the field. */
export const FIELD_NAMES: Record<keyof TicketFields | 'contact', string> = {
  type: 'type',
  channel: 'channel',
  subscriberName: 'subscriber.name',
  subscriberPhone: 'subscriber.phone',
  subscriberAccount: 'subscriber.account',
  regionId: 'regionId',
  serviceId: 'serviceId',
  branchId: 'branchId',
  topic: 'topic',
  description: 'description',
  assignee: 'assignee',
  contact: 'subscriber.phone or subscriber.account',
};

function blank(v: string | number | null): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '');
}

/** The required fields a ticket lacks for its type, by API name; empty when complete. */
export function missingFields(t: TicketFields): string[] {
  return REQUIRED_FIELDS[t.type]
    .filter((f) =>
      f === 'contact' ? blank(t.subscriberPhone) && blank(t.subscriberAccount) : blank(t[f]),
    )
    .map((f) => FIELD_NAMES[f]);
}

export class PhoneError extends Error {
  override name = 'PhoneError';
}

/**
 * A subscriber's number in E.164. Numbers as people say them in Kazakhstan are read with KZ as
 * the default country: `8 701 123 45 67`, `+7 (727) 258-15-00`, `7011234567`. Anything that is
 * not a valid number of some country is refused, with the reason.
 */
export function normalizePhone(input: string): string {
  const text = input.trim();
  if (!/^[+\d\s()\-.]{5,30}$/.test(text)) {
    throw new PhoneError(
      `"${input}" is not a phone number: use digits, spaces, ( ) - and a leading +, e.g. +7 701 123 45 67`,
    );
  }
  try {
    const parsed = parsePhoneNumberWithError(text, 'KZ');
    if (!parsed.isValid()) {
      throw new PhoneError(
        `${text} is not a valid ${parsed.country ?? ''} number`.replace('  ', ' '),
      );
    }
    return parsed.number;
  } catch (err) {
    if (err instanceof PhoneError) throw err;
    const reason =
      err instanceof ParseError ? err.message.toLowerCase().replace(/_/g, ' ') : 'unreadable';
    throw new PhoneError(`${text} is not a valid phone number (${reason})`);
  }
}

export interface FieldChange {
  field: string;
  from: string | number | null;
  to: string | number | null;
}

/** Field-by-field differences, in a stable order: the history's "what". */
export function diffFields(
  before: Partial<Record<string, string | number | null>>,
  after: Partial<Record<string, string | number | null>>,
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: FieldChange[] = [];
  for (const field of keys) {
    if (!(field in after)) continue;
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

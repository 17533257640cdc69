/**
 * The pure core of conversations: limits, who may do what, keys that keep a pair's direct
 * conversation and a role's broadcast unique, and what counts as unread. No I/O.
 */
import { permissionsOf, ROLES } from '../admin/roles.js';
import type {
  ChatConversationKind,
  ChatParticipantRole,
  ChatVisibility,
  Role,
} from '../db/schema.js';

export type { ChatConversationKind, ChatParticipantRole, ChatVisibility };

export const CHAT_LIMITS = {
  body: 4000,
  groupName: 80,
  groupMembers: 100,
  clientId: 64,
  page: 100,
} as const;

/** Client ids are what a browser's `crypto.randomUUID()` or a similar token gives. */
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** The roles whose users may chat (`chat:use`), in the order of ROLES. */
export function chatRoles(): Role[] {
  return ROLES.filter((r) => permissionsOf(r).includes('chat:use'));
}

export function canChat(role: Role): boolean {
  return permissionsOf(role).includes('chat:use');
}

/** The one direct conversation of two users, whichever of them opens it. */
export function directKey(a: number, b: number): string {
  return `direct:${Math.min(a, b)}:${Math.max(a, b)}`;
}

export function broadcastKey(role: Role): string {
  return `broadcast:${role}`;
}

/** Readers (the recipients of a broadcast) read only; the others also write. */
export function canPost(role: ChatParticipantRole): boolean {
  return role === 'owner' || role === 'member';
}

/** Participant roles held by staff; a messenger chat's customer (later) will hold another. */
const STAFF_ROLES: readonly ChatParticipantRole[] = ['owner', 'member', 'reader'];

/** Whether a participant sees a message: staff notes are for staff only. */
export function visibleTo(role: ChatParticipantRole, visibility: ChatVisibility): boolean {
  return visibility === 'all' || STAFF_ROLES.includes(role);
}

/** A message counts as unread for a user when it is newer than their read mark and not theirs. */
export function isUnread(
  message: { id: number; authorId: number | null },
  reader: { userId: number; lastReadMessageId: number },
): boolean {
  return message.id > reader.lastReadMessageId && message.authorId !== reader.userId;
}

/** The new read mark: it only moves forward and never past the newest message. */
export function nextReadMark(current: number, upTo: number, newest: number): number {
  return Math.max(current, Math.min(upTo, newest));
}

/** A message body as stored: line ends normalised, trailing blanks trimmed; null when empty. */
export function normalizeBody(body: string): string | null {
  const text = body.replace(/\r\n?/g, '\n').trimEnd();
  return text.trim() === '' ? null : text.replace(/^\n+/, '');
}

/** A group name on one line with single spaces; null when empty. */
export function normalizeGroupName(name: string): string | null {
  const text = name.replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

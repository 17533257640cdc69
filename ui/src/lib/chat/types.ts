// Shapes of `/api/chat` and of the `chat` topic (see appliance/src/chat/schemas.ts).
import type { Role } from '../types';

export type ChatKind = 'direct' | 'group' | 'broadcast';
export type ChatParticipantRole = 'owner' | 'member' | 'reader';

/** The longest message the controller accepts. */
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_GROUP_NAME_LENGTH = 80;

export interface ChatMessage {
  id: number;
  conversationId: number;
  author: { username: string; displayName: string } | null;
  body: string;
  visibility: 'all' | 'staff-note';
  clientId: string | null;
  createdAt: string;
}

export interface ChatParticipant {
  username: string;
  displayName: string;
  role: ChatParticipantRole;
  lastReadMessageId: number;
}

export interface ChatConversation {
  id: number;
  kind: ChatKind;
  name: string | null;
  audienceRole: Role | null;
  createdAt: string;
  lastActivityAt: string;
  myRole: ChatParticipantRole;
  canPost: boolean;
  participants: ChatParticipant[];
  lastMessage: ChatMessage | null;
  lastReadMessageId: number;
  unread: number;
}

export interface ChatConversationList {
  items: ChatConversation[];
  unreadTotal: number;
}

export interface ChatMessagePage {
  items: ChatMessage[];
  hasMore: boolean;
}

export interface ChatColleague {
  username: string;
  displayName: string;
  role: Role;
}

/** `chat.message`: a new message in a conversation the user takes part in. */
export interface ChatMessageEvent {
  conversationId: number;
  message: ChatMessage;
}

/** `chat.read`: a participant's read mark moved; `unread` is what is left for that participant. */
export interface ChatReadEvent {
  conversationId: number;
  username: string;
  lastReadMessageId: number;
  unread: number;
}

/** `chat.conversation`: the user was added to a conversation. */
export interface ChatConversationEvent {
  conversationId: number;
}

/** TypeBox schemas of the internal chat API (`/api/chat`). */
import { Type, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import type { Role } from '../db/schema.js';
import { CHAT_LIMITS, CLIENT_ID_PATTERN } from './model.js';

/** A string enum: `{type: 'string', enum}` at run time, a union of literals for the types. */
function StringEnum<const V extends readonly string[]>(
  values: V,
  description?: string,
): TUnion<{ -readonly [K in keyof V]: TLiteral<V[K]> }> {
  return Type.Unsafe({
    type: 'string',
    enum: [...values],
    ...(description ? { description } : {}),
  }) as unknown as TUnion<{ -readonly [K in keyof V]: TLiteral<V[K]> }>;
}

const Id = Type.Integer({ minimum: 1 });
const Username = Type.String({ minLength: 1, maxLength: 64 });
const RoleSchema = StringEnum([
  'operator',
  'second_line',
  'supervisor',
  'administrator',
  'observer',
] as const satisfies readonly Role[]);
const Body = Type.String({
  minLength: 1,
  maxLength: CHAT_LIMITS.body,
  description: `Plain text, up to ${CHAT_LIMITS.body} characters`,
});
const ClientId = Type.String({
  pattern: CLIENT_ID_PATTERN,
  description:
    'Chosen by the sender (e.g. a UUID): resending the same message with the same id returns the stored message instead of a second copy',
});

export const IdParams = Type.Object({ id: Id });

export const MessagesQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Messages older than this id' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHAT_LIMITS.page, default: 50 })),
  },
  { additionalProperties: false },
);

export const DirectBody = Type.Object({ username: Username }, { additionalProperties: false });

export const GroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: CHAT_LIMITS.groupName }),
    members: Type.Array(Username, { minItems: 1, maxItems: CHAT_LIMITS.groupMembers }),
  },
  { additionalProperties: false },
);

export const PostBody = Type.Object(
  { body: Body, clientId: Type.Optional(ClientId) },
  { additionalProperties: false },
);

export const BroadcastBody = Type.Object(
  { role: RoleSchema, body: Body, clientId: Type.Optional(ClientId) },
  { additionalProperties: false },
);

export const ReadBody = Type.Object(
  { upTo: Type.Integer({ minimum: 0, description: 'The newest message id the user has seen' }) },
  { additionalProperties: false },
);

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const MessageSchema = Type.Object({
  id: Id,
  conversationId: Id,
  author: Nullable(Type.Object({ username: Type.String(), displayName: Type.String() })),
  body: Type.String(),
  visibility: StringEnum(['all', 'staff-note']),
  clientId: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const ConversationSchema = Type.Object({
  id: Id,
  kind: StringEnum(['direct', 'group', 'broadcast']),
  name: Nullable(Type.String()),
  audienceRole: Type.Union([RoleSchema, Type.Null()]),
  createdAt: Type.String(),
  lastActivityAt: Type.String(),
  myRole: StringEnum(['owner', 'member', 'reader']),
  canPost: Type.Boolean(),
  participants: Type.Array(
    Type.Object({
      username: Type.String(),
      displayName: Type.String(),
      role: StringEnum(['owner', 'member', 'reader']),
      lastReadMessageId: Type.Integer(),
    }),
  ),
  lastMessage: Type.Union([MessageSchema, Type.Null()]),
  lastReadMessageId: Type.Integer(),
  unread: Type.Integer(),
});

export const ConversationListSchema = Type.Object({
  items: Type.Array(ConversationSchema),
  unreadTotal: Type.Integer(),
});

export const MessagePageSchema = Type.Object({
  items: Type.Array(MessageSchema),
  hasMore: Type.Boolean(),
});

export const ReadSchema = Type.Object({
  conversationId: Id,
  username: Type.String(),
  lastReadMessageId: Type.Integer(),
  unread: Type.Integer(),
});

export const ColleaguesSchema = Type.Object({
  items: Type.Array(
    Type.Object({ username: Type.String(), displayName: Type.String(), role: RoleSchema }),
  ),
});

export const BroadcastAnswerSchema = Type.Object({
  conversation: ConversationSchema,
  message: MessageSchema,
});

/** `/api/chat`: internal chat with colleagues (OP-32 item 6, SUP-33). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../admin/errors.js';
import { ErrorSchema } from '../http/schemas.js';
import {
  BroadcastAnswerSchema,
  BroadcastBody,
  ColleaguesSchema,
  ConversationListSchema,
  ConversationSchema,
  DirectBody,
  GroupBody,
  IdParams,
  MessagePageSchema,
  MessageSchema,
  MessagesQuery,
  PostBody,
  ReadBody,
  ReadSchema,
} from './schemas.js';
import type { ChatActor, ChatService } from './service.js';

const tags = ['chat'];
const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const use = { permission: 'chat:use' } as const;
const manage = { permission: 'chat:manage' } as const;

function actor(req: FastifyRequest): ChatActor {
  const user = req.session?.user;
  if (!user) throw new AppError(401, 'unauthenticated', 'Sign in first');
  return { id: user.id, username: user.username };
}

export function chatRoutes(chat: ChatService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/chat/conversations',
      {
        config: use,
        schema: {
          tags,
          summary: 'My conversations, most recently active first, with unread counts',
          response: { 200: ConversationListSchema, ...errors },
        },
      },
      async (req) => chat.list(actor(req)),
    );

    app.get(
      '/api/chat/conversations/:id',
      {
        config: use,
        schema: {
          tags,
          summary: 'One of my conversations',
          params: IdParams,
          response: { 200: ConversationSchema, ...errors },
        },
      },
      async (req) => chat.get(actor(req), req.params.id),
    );

    app.get(
      '/api/chat/colleagues',
      {
        config: use,
        schema: {
          tags,
          summary: 'Colleagues one can chat with (users whose role has chat:use)',
          response: { 200: ColleaguesSchema, ...errors },
        },
      },
      async (req) => ({ items: await chat.colleagues(actor(req)) }),
    );

    app.post(
      '/api/chat/direct',
      {
        config: use,
        schema: {
          tags,
          summary: 'Opens the direct conversation with a colleague (created the first time: 201)',
          body: DirectBody,
          response: { 200: ConversationSchema, 201: ConversationSchema, ...errors },
        },
      },
      async (req, reply) => {
        const { conversation, created } = await chat.openDirect(actor(req), req.body.username);
        return reply.status(created ? 201 : 200).send(conversation);
      },
    );

    app.post(
      '/api/chat/groups',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Creates a named group conversation; the creator owns it',
          body: GroupBody,
          response: { 201: ConversationSchema, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await chat.createGroup(actor(req), req.body)),
    );

    app.post(
      '/api/chat/broadcasts',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Sends a message to everyone of a role (all operators …); they read, not reply',
          body: BroadcastBody,
          response: { 200: BroadcastAnswerSchema, 201: BroadcastAnswerSchema, ...errors },
        },
      },
      async (req, reply) => {
        const { created, ...answer } = await chat.broadcast(actor(req), req.body);
        return reply.status(created ? 201 : 200).send(answer);
      },
    );

    app.get(
      '/api/chat/conversations/:id/messages',
      {
        config: use,
        schema: {
          tags,
          summary: 'A page of messages, oldest first; page back with `before` (an id)',
          params: IdParams,
          querystring: MessagesQuery,
          response: { 200: MessagePageSchema, ...errors },
        },
      },
      async (req) =>
        chat.messages(actor(req), req.params.id, {
          ...(req.query.before === undefined ? {} : { before: req.query.before }),
          limit: req.query.limit ?? 50,
        }),
    );

    app.post(
      '/api/chat/conversations/:id/messages',
      {
        config: use,
        schema: {
          tags,
          summary: 'Posts a message (201); the same clientId again returns the stored one (200)',
          params: IdParams,
          body: PostBody,
          response: { 200: MessageSchema, 201: MessageSchema, 409: ErrorSchema, ...errors },
        },
      },
      async (req, reply) => {
        const { message, created } = await chat.post(actor(req), req.params.id, req.body);
        return reply.status(created ? 201 : 200).send(message);
      },
    );

    app.post(
      '/api/chat/conversations/:id/read',
      {
        config: use,
        schema: {
          tags,
          summary: 'Marks the conversation read up to a message id (the mark never moves back)',
          params: IdParams,
          body: ReadBody,
          response: { 200: ReadSchema, ...errors },
        },
      },
      async (req) => chat.markRead(actor(req), req.params.id, req.body.upTo),
    );
  };
}

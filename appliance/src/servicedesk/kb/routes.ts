/** `/api/kb`: knowledge-base search, articles with their versions, and categories. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorSchema } from '../../http/schemas.js';
import {
  ArticleSchema,
  ArticleSummarySchema,
  CategoryBody,
  CategorySchema,
  CreateArticleBody,
  IdParams,
  ListQuerySchema,
  RestoreBody,
  SearchAnswerSchema,
  SearchQuerySchema,
  StatusBody,
  UpdateArticleBody,
  VersionParams,
  VersionSchema,
  VersionSummarySchema,
} from './schemas.js';
import type { KbActor, KbService } from './service.js';

const tags = ['kb'];
const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

function actor(req: FastifyRequest): KbActor {
  const user = req.session!.user;
  return { username: user.username, canWrite: user.permissions.includes('kb:write') };
}

export function kbRoutes(kb: KbService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/kb/search',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'Searches articles: any word form, Kazakh letters typed as Russian, as you type',
          querystring: SearchQuerySchema,
          response: { 200: SearchAnswerSchema, ...errors },
        },
      },
      async (req) =>
        kb.search(
          {
            q: req.query.q,
            language: req.query.lang,
            categoryId: req.query.category,
            status: req.query.status,
            limit: req.query.limit ?? 20,
          },
          actor(req),
        ),
    );

    app.get(
      '/api/kb/articles',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'Articles, most recently changed first (editors also see drafts and archived)',
          querystring: ListQuerySchema,
          response: {
            200: Type.Object({ items: Type.Array(ArticleSummarySchema), total: Type.Integer() }),
            ...errors,
          },
        },
      },
      async (req) =>
        kb.list(
          {
            language: req.query.lang,
            categoryId: req.query.category,
            status: req.query.status,
            limit: req.query.limit ?? 50,
            offset: req.query.offset ?? 0,
          },
          actor(req),
        ),
    );

    app.get(
      '/api/kb/articles/:id',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'An article (drafts and archived ones only for editors)',
          params: IdParams,
          response: { 200: ArticleSchema, 404: ErrorSchema },
        },
      },
      async (req) => kb.get(req.params.id, actor(req)),
    );

    app.get(
      '/api/kb/articles/:id/versions',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'Every version of an article, newest first, without bodies',
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(VersionSummarySchema) }),
            404: ErrorSchema,
          },
        },
      },
      async (req) => ({ items: await kb.versions(req.params.id, actor(req)) }),
    );

    app.get(
      '/api/kb/articles/:id/versions/:version',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'One version of an article with its body',
          params: VersionParams,
          response: { 200: VersionSchema, 404: ErrorSchema },
        },
      },
      async (req) => kb.version(req.params.id, req.params.version, actor(req)),
    );

    app.post(
      '/api/kb/articles',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Creates an article (version 1), a draft unless status says published',
          body: CreateArticleBody,
          response: { 201: ArticleSchema, ...errors },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const article = await kb.create({ ...b, tags: b.tags ?? [] }, req.session!.user.username);
        return reply.status(201).send(article);
      },
    );

    app.put(
      '/api/kb/articles/:id',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Saves a new version; 409 when someone saved after baseVersion',
          params: IdParams,
          body: UpdateArticleBody,
          response: { 200: ArticleSchema, 409: ErrorSchema, ...errors },
        },
      },
      async (req) => {
        const { baseVersion, ...b } = req.body;
        return kb.update(
          req.params.id,
          { ...b, tags: b.tags ?? [] },
          baseVersion,
          req.session!.user.username,
        );
      },
    );

    app.post(
      '/api/kb/articles/:id/restore',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Saves an old version again as the newest version',
          params: IdParams,
          body: RestoreBody,
          response: { 200: ArticleSchema, 409: ErrorSchema, ...errors },
        },
      },
      async (req) =>
        kb.restore(
          req.params.id,
          req.body.version,
          req.body.baseVersion,
          req.session!.user.username,
        ),
    );

    app.post(
      '/api/kb/articles/:id/status',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Publishes, unpublishes (draft) or archives an article',
          params: IdParams,
          body: StatusBody,
          response: { 200: ArticleSchema, ...errors },
        },
      },
      async (req) => kb.setStatus(req.params.id, req.body.status, req.session!.user.username),
    );

    app.get(
      '/api/kb/categories',
      {
        config: { permission: 'kb:read' },
        schema: {
          tags,
          summary: 'The category tree as a flat list (parentId links)',
          response: { 200: Type.Object({ items: Type.Array(CategorySchema) }) },
        },
      },
      async () => ({ items: await kb.categories() }),
    );

    app.post(
      '/api/kb/categories',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Creates a category',
          body: CategoryBody,
          response: { 201: CategorySchema, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await kb.createCategory({ ...req.body, position: req.body.position ?? 0 })),
    );

    app.put(
      '/api/kb/categories/:id',
      {
        config: { permission: 'kb:write' },
        schema: {
          tags,
          summary: 'Renames or moves a category',
          params: IdParams,
          body: CategoryBody,
          response: { 200: CategorySchema, ...errors },
        },
      },
      async (req) =>
        kb.updateCategory(req.params.id, { ...req.body, position: req.body.position ?? 0 }),
    );
  };
}

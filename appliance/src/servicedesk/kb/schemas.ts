/** TypeBox schemas of the knowledge-base API (`/api/kb`). */
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { KB_LIMITS } from './model.js';
import { MAX_QUERY_LENGTH } from './text.js';

/**
 * A string enum. At run time it is `{type: 'string', enum}`, so a wrong value gets "must be equal
 * to one of the allowed values" and OpenAPI lists them; it is typed as the union of literals the
 * route type provider understands.
 */
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

export const Language = StringEnum(['kk', 'ru'], 'Article language: kk or ru');
export const Status = StringEnum(['draft', 'published', 'archived']);
export const StatusFilter = StringEnum(
  ['draft', 'published', 'archived', 'any'],
  'Editors only, except published',
);
const Id = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const IdParams = Type.Object({ id: Id });
export const VersionParams = Type.Object({ id: Id, version: Id });

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: MAX_QUERY_LENGTH,
      description: 'What the operator typed',
    }),
    lang: Type.Optional(Language),
    category: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Category id; includes its subcategories' }),
    ),
    status: Type.Optional(StatusFilter),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: KB_LIMITS.searchResults, default: 20 }),
    ),
  },
  { additionalProperties: false },
);

export const ListQuerySchema = Type.Object(
  {
    lang: Type.Optional(Language),
    category: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Optional(StatusFilter),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

const Tags = Type.Array(Type.String({ maxLength: KB_LIMITS.tag }), { maxItems: KB_LIMITS.tags });

const ArticleFields = {
  language: Language,
  title: Type.String({ minLength: 1, maxLength: KB_LIMITS.title }),
  body: Type.String({ maxLength: KB_LIMITS.body, description: 'Plain text or Markdown' }),
  categoryId: Nullable(Id),
  tags: Type.Optional(Tags),
  translationId: Type.Optional(Nullable(Id)),
  note: Type.Optional(Nullable(Type.String({ maxLength: KB_LIMITS.note }))),
};

export const CreateArticleBody = Type.Object(
  { ...ArticleFields, status: Type.Optional(StringEnum(['draft', 'published'])) },
  { additionalProperties: false },
);
export type CreateArticleBody = Static<typeof CreateArticleBody>;

export const UpdateArticleBody = Type.Object(
  {
    ...ArticleFields,
    baseVersion: Type.Integer({ minimum: 1, description: 'The version the edit started from' }),
  },
  { additionalProperties: false },
);

export const RestoreBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      description: 'The old version to save again as the newest',
    }),
    baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const StatusBody = Type.Object({ status: Status }, { additionalProperties: false });

const Common = {
  id: Type.Integer(),
  language: Language,
  categoryId: Nullable(Type.Integer()),
  status: Status,
  version: Type.Integer(),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  translationId: Nullable(Type.Integer()),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  updatedAt: Type.String(),
  updatedBy: Nullable(Type.String()),
  publishedAt: Nullable(Type.String()),
};

const TextParts = Type.Array(Type.Object({ text: Type.String(), match: Type.Boolean() }));

export const ArticleSummarySchema = Type.Object(Common);

export const SearchAnswerSchema = Type.Object({
  items: Type.Array(Type.Object({ ...Common, titleParts: TextParts, snippet: TextParts })),
  matched: StringEnum(['all', 'any'], 'any: no article had every word'),
});

export const ArticleSchema = Type.Object({
  ...Common,
  body: Type.String(),
  translation: Nullable(
    Type.Object({ id: Type.Integer(), language: Language, title: Type.String(), status: Status }),
  ),
});

const VersionCommon = {
  version: Type.Integer(),
  language: Language,
  categoryId: Nullable(Type.Integer()),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  note: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
};
export const VersionSummarySchema = Type.Object(VersionCommon);
export const VersionSchema = Type.Object({ ...VersionCommon, body: Type.String() });

const CategoryFields = {
  parentId: Nullable(Id),
  nameKk: Type.String({ minLength: 1, maxLength: KB_LIMITS.categoryName }),
  nameRu: Type.String({ minLength: 1, maxLength: KB_LIMITS.categoryName }),
  nameEn: Type.String({ minLength: 1, maxLength: KB_LIMITS.categoryName }),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
};
export const CategoryBody = Type.Object(CategoryFields, { additionalProperties: false });
export const CategorySchema = Type.Object({
  id: Type.Integer(),
  parentId: Nullable(Type.Integer()),
  nameKk: Type.String(),
  nameRu: Type.String(),
  nameEn: Type.String(),
  position: Type.Integer(),
});

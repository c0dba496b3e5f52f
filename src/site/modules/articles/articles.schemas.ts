import Type, { type Static } from 'typebox';
import { Csrf } from '../../lib/schemas.js';
import { BODY_MAX, TITLE_MAX } from './articles.service.js';

/** The HTML form: loose types here, friendly messages from validateArticle() in the handler. */
export const ArticleForm = Type.Object({
  title: Type.Optional(Type.String({ maxLength: TITLE_MAX * 4 })),
  body: Type.Optional(Type.String({ maxLength: BODY_MAX * 2 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: Csrf,
});
export type ArticleForm = Static<typeof ArticleForm>;

const Status = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
const Title = Type.String({ minLength: 1, maxLength: TITLE_MAX, pattern: '\\S' });
const Body = Type.String({ minLength: 1, maxLength: BODY_MAX, pattern: '\\S' });

export const ArticleCreate = Type.Object(
  { title: Title, body: Body, status: Type.Optional(Status) },
  { additionalProperties: false },
);
export const ArticlePatch = Type.Object(
  { title: Type.Optional(Title), body: Type.Optional(Body), status: Type.Optional(Status) },
  { additionalProperties: false, minProperties: 1 },
);

export const ArticleJson = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  url: Type.String(),
  title: Type.String(),
  status: Status,
  bodyMarkdown: Type.String(),
  bodyHtml: Type.String(),
  author: Type.Object({ id: Type.Integer(), displayName: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ArticleJson = Static<typeof ArticleJson>;

export const ArticleList = Type.Object({
  items: Type.Array(ArticleJson),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

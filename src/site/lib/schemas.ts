import Type from 'typebox';
import { CURSOR_MAX_LENGTH } from './cursor.js';
import { API_DEFAULT_LIMIT, API_MAX_LIMIT } from './pagination.js';

/** The schema pieces every module's routes share, defined once (TypeBox, beside lib/http.ts's parsers). */

/** The hidden CSRF field of an HTML form (checked by the csrf plugin, not by the schema). */
export const Csrf = Type.Optional(Type.String({ maxLength: 200 }));

/** `?page=` of an HTML list; lib/http.ts's pageParam() turns it into a number or a 400. */
export const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });

/** Anything longer cannot be a slug; the handler answers 404 for the rest (lib/http.ts's slugParam). */
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });

/** An API list's `?limit=&cursor=` (keyset pagination). */
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: API_MAX_LIMIT, default: API_DEFAULT_LIMIT })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: CURSOR_MAX_LENGTH })),
  },
  { additionalProperties: false },
);

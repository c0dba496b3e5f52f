/**
 * The site's error table: every error it raises on purpose, defined once with a code, an HTTP
 * status and a message safe for visitors (as Fastify's lib/errors.js). Plugins, services and
 * views all import this module; it imports nothing of the site, so it sits below every layer.
 */

/** One field's problem, as forms show it and problem+json lists it. */
export interface FieldError {
  field: string;
  message: string;
}

/** An error the site means to show: its code, HTTP status and message are safe for visitors. */
export class SiteError extends Error {
  override name = 'SiteError';
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

function define(code: string, statusCode: number, message: string) {
  const make = (detail?: string, errors?: FieldError[]) =>
    new SiteError(code, statusCode, detail ?? message, errors);
  return Object.assign(make, { code, statusCode });
}

/** Every error the site raises on purpose, defined once. `throw errors.notFound()`. */
export const errors = {
  badRequest: define('BAD_REQUEST', 400, 'The request is not valid.'),
  validation: define('VALIDATION_FAILED', 400, 'Some fields are not valid.'),
  unauthorized: define('UNAUTHORIZED', 401, 'You need to log in first.'),
  invalidCredentials: define('INVALID_CREDENTIALS', 401, 'The email or password is not correct.'),
  forbidden: define('FORBIDDEN', 403, 'You are not allowed to do this.'),
  csrf: define(
    'CSRF_INVALID',
    403,
    'The form expired or did not come from this site. Reload the page and try again.',
  ),
  crossSite: define('CROSS_SITE_REQUEST', 403, 'This request came from another site and was refused.'),
  notFound: define('NOT_FOUND', 404, 'There is nothing at this address.'),
  // The whole request (headers and body) did not arrive within SiteSettings.requestTimeoutSeconds.
  requestTimeout: define(
    'REQUEST_TIMEOUT',
    408,
    'The request took too long to arrive. Please send it again.',
  ),
  headersTooLarge: define('HEADERS_TOO_LARGE', 431, 'The request headers are too large.'),
  unsupportedMediaType: define(
    'UNSUPPORTED_MEDIA_TYPE',
    415,
    'The API accepts only application/json bodies.',
  ),
  tooManyAttempts: define(
    'TOO_MANY_ATTEMPTS',
    429,
    'Too many failed attempts. Please wait a few minutes and try again.',
  ),
  // Nginx's code for a client that closed the connection before the answer: nobody reads it.
  clientClosed: define('CLIENT_CLOSED', 499, 'The client closed the connection.'),
  conflict: define('CONFLICT', 409, 'This conflicts with existing data.'),
  emailTaken: define('EMAIL_TAKEN', 409, 'An account with this email already exists.'),
  busy: define('BUSY', 503, 'The site is busy. Please try again in a moment.'),
  // The password-hashing queue is full (users.service.ts passwordHashing): logins wait their turn
  // there, pages never do; beyond the queue a login is refused at once, with Retry-After.
  loginBusy: define(
    'LOGIN_BUSY',
    503,
    'Too many people are logging in right now. Please try again in a moment.',
  ),
  databaseUnavailable: define(
    'DATABASE_UNAVAILABLE',
    503,
    'The site is briefly unavailable. Please try again in a moment.',
  ),
  // The connection died while a write was committing (a database failover): it may have been
  // saved or not, so it is not run again blindly; the visitor checks, then tries again.
  writeOutcomeUnknown: define(
    'WRITE_OUTCOME_UNKNOWN',
    503,
    'The site lost its database connection while saving, so your change may or may not have been saved. Please check, then try again.',
  ),
  internal: define('INTERNAL', 500, 'Something went wrong on our side.'),
} as const;

/** What a visitor is told about an error: problem+json (RFC 9457) for the API, an error page for browsers. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
}

export interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Ajv/TypeBox validation items → one { field, message } per offending field. Pure. */
export function fieldErrors(items: readonly ValidationItem[]): FieldError[] {
  const out: FieldError[] = [];
  for (const item of items) {
    const required = item.params?.requiredProperties ?? item.params?.missingProperty;
    const names = Array.isArray(required) ? required : typeof required === 'string' ? [required] : [];
    if (names.length > 0) {
      for (const name of names) out.push({ field: String(name), message: `${String(name)} is required` });
      continue;
    }
    const field = (item.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || '(body)';
    out.push({ field, message: `${field} ${item.message ?? 'is not valid'}` });
  }
  return out.filter((e, i) => out.findIndex((o) => o.field === e.field) === i);
}

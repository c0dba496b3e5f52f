import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../database/database.js';
import type { FieldError } from '../views/components/form.js';
import { globalPlugin } from './global.js';

export type { FieldError };

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
  notFound: define('NOT_FOUND', 404, 'There is nothing at this address.'),
  tooManyAttempts: define(
    'TOO_MANY_ATTEMPTS',
    429,
    'Too many failed attempts for this account. Please try again in an hour.',
  ),
  conflict: define('CONFLICT', 409, 'This conflicts with existing data.'),
  emailTaken: define('EMAIL_TAKEN', 409, 'An account with this email already exists.'),
  databaseUnavailable: define(
    'DATABASE_UNAVAILABLE',
    503,
    'The site is briefly unavailable. Please try again in a moment.',
  ),
  internal: define('INTERNAL', 500, 'Something went wrong on our side.'),
} as const;

export const RETRY_AFTER_SECONDS = 5;

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
}

interface ValidationItem {
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

/** Decides what the visitor is told about any error. Never exposes internals. Pure. */
export function toProblem(error: unknown): Problem {
  if (error instanceof SiteError) {
    return {
      status: error.statusCode,
      code: error.code,
      title: titleOf(error.statusCode),
      detail: error.message,
      errors: error.errors,
    };
  }
  if (isDatabaseUnavailable(error)) return toProblem(errors.databaseUnavailable());
  const e = error as Partial<FastifyError> & { validation?: ValidationItem[] };
  if (Array.isArray(e.validation)) {
    return toProblem(errors.validation(undefined, fieldErrors(e.validation)));
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, too large, wrong media type, rate limit) have safe messages.
    const safe = typeof e.code === 'string' && (e.code.startsWith('FST_') || status === 429);
    return {
      status,
      code: typeof e.code === 'string' ? e.code : 'BAD_REQUEST',
      title: titleOf(status),
      detail: safe && e.message ? e.message : titleOf(status),
    };
  }
  return toProblem(errors.internal());
}

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** API clients and JSON callers get problem+json; browsers get an HTML page. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/.test(accept) && !accept.includes('text/html');
}

async function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): Promise<void> {
  if (problem.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  if (wantsJson(request)) {
    reply.code(problem.status);
    await reply.type('application/problem+json').send({
      type: 'about:blank',
      ...problem,
      instance: request.url,
      requestId: request.id,
    });
    return;
  }
  if (problem.status === 401 && request.method === 'GET') {
    // A browser asking for a members-only page goes to the login form and comes back after.
    await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    return;
  }
  reply.code(problem.status);
  await reply.errorPage(problem);
}

export const errorsPlugin = globalPlugin('errors', async (app) => {
  app.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status === 503) request.log.warn({ err: error }, 'database unavailable');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
    await sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) => {
    await sendProblem(request, reply, toProblem(errors.notFound()));
  });
});

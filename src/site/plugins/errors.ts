import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, OutcomeUnknownError } from '../database/database.js';
import { errors, fieldErrors, type Problem, SiteError, type ValidationItem } from '../errors.js';
import { globalPlugin } from './global.js';

export const RETRY_AFTER_SECONDS = 5;

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
  if (error instanceof OutcomeUnknownError) return toProblem(errors.writeOutcomeUnknown());
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

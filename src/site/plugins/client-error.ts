import type { Socket } from 'node:net';
import { errors, type SiteError } from '../errors.js';
import { toProblem } from './errors.js';

/** Node's reasons for giving up on a connection before any route ran, and what the client is told. */
const ANSWERS: Record<string, () => SiteError> = {
  ERR_HTTP_REQUEST_TIMEOUT: () => errors.requestTimeout(),
  HPE_HEADER_OVERFLOW: () => errors.headersTooLarge(),
};

/**
 * Fastify's clientErrorHandler: Node gave up on a request before the site could route it (past its
 * whole-request deadline, headers too large, not HTTP at all). The client gets the site's
 * problem+json, with the request's status, and the connection is closed: what is left of the
 * request cannot be told apart from the next one.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = toProblem((ANSWERS[error.code ?? ''] ?? errors.badRequest)());
  const body = JSON.stringify({ type: 'about:blank', ...problem });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

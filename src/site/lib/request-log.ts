/** Slower than this, a request is logged at warn whatever its status. */
export const SLOW_REQUEST_MS = 1000;

export type RequestLogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * The level of a request's log line. Nginx already writes a JSON access log with the request
 * id for every request, so the app logs ordinary successes only at debug (a line per request
 * through the supervisor's pipe cost real throughput) and keeps what an operator acts on:
 * 5xx at error, slow requests at warn, other client errors at info. Pure.
 */
export function requestLogLevel(statusCode: number, ms: number): RequestLogLevel {
  if (statusCode >= 500) return 'error';
  if (ms > SLOW_REQUEST_MS) return 'warn';
  if (statusCode >= 400) return 'info';
  return 'debug';
}

/**
 * Every error the operator can meet is defined once, with a code, a one-line reason and the fix
 * (the way Fastify defines its errors). The CLI prints `error CODE: reason` and `fix: ...`.
 */
export class WebstackError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebstackError';
  }
}

export function isWebstackError(error: unknown): error is WebstackError {
  return error instanceof WebstackError;
}

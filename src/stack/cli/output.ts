import { isWebstackError, systemError } from '../core/errors.js';

/**
 * An error as the operator reads it: `error CODE: reason` and `fix: ...`. Only an error that has no
 * code, and is not a file-system failure the operator can fix (permissions, a missing path, a full
 * disk), is called a bug in webstack.
 */
export function formatError(thrown: unknown): [string, string] {
  const error = systemError(thrown);
  if (isWebstackError(error)) return [`error ${error.code}: ${error.message}`, `fix: ${error.fix}`];
  return [
    `error: ${(error as Error)?.message ?? String(error)}`,
    'fix: this is a bug in webstack; run again with WEBSTACK_DEBUG=1 and report the output',
  ];
}

/** Prints an error as one line with its fix; never a stack trace (unless WEBSTACK_DEBUG is set). */
export function printError(error: unknown): void {
  for (const line of formatError(error)) console.error(line);
  if (process.env.WEBSTACK_DEBUG) console.error(error);
}

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** What `webstack logs --request-id … --status …` keeps. */
export interface LogFilter {
  requestId?: string;
  status?: number;
}

/**
 * Whether one log line matches. The Nginx access log ("request_id", "status") and the application
 * log ("reqId", "statusCode") are JSON lines; a line that is not JSON cannot match a filter.
 */
export function matchesLogFilter(line: string, filter: LogFilter): boolean {
  if (filter.requestId === undefined && filter.status === undefined) return true;
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return false;
    entry = parsed as Record<string, unknown>;
  } catch {
    return false;
  }
  if (
    filter.requestId !== undefined &&
    entry.request_id !== filter.requestId &&
    entry.reqId !== filter.requestId
  ) {
    return false;
  }
  if (filter.status !== undefined && Number(entry.status ?? entry.statusCode) !== filter.status) return false;
  return true;
}

import type { Role } from '../modules/users/users.table.js';

/** What every page's layout needs to know about the request it answers. */
export interface PageContext {
  /** The logged-in visitor, or null. */
  user: { id: number; displayName: string; role: Role } | null;
  /** CSRF token for forms on this page (the logout form, and any other POST form). */
  csrfToken: string;
  /** The request path, to mark the current navigation link. */
  path: string;
}

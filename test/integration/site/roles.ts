import type { App } from '../../../src/site/app.js';
import { createUser } from '../../../src/site/modules/users/users.service.js';
import type { Role } from '../../../src/site/modules/users/users.table.js';
import { Browser } from './helper.js';

export const PASSWORD = 'a long enough test password';

export interface SignedIn {
  app: App;
  browser: Browser;
  id: number;
  /** The session's CSRF token, for x-csrf-token on API writes. */
  csrf: string;
}

/** Creates an account with `role` and logs a fresh browser in with it through the JSON API. */
export async function signIn(app: App, role: Role, name: string = role): Promise<SignedIn> {
  const email = `${name}@example.com`;
  const user = await createUser(app.db, { email, password: PASSWORD, displayName: `${name} person`, role });
  const browser = new Browser(app);
  const response = await browser.request({
    method: 'POST',
    url: '/api/v1/session',
    json: { email, password: PASSWORD },
  });
  if (response.statusCode !== 200)
    throw new Error(`login as ${email} failed: ${response.statusCode} ${response.body}`);
  const { csrfToken } = response.json() as { csrfToken: string };
  return { app, browser, id: user.id, csrf: csrfToken };
}

/** An editor, a second editor, an admin and a member, each in their own browser. */
export async function signInEveryone(app: App) {
  const [admin, editor, otherEditor, member] = await Promise.all([
    signIn(app, 'admin'),
    signIn(app, 'editor'),
    signIn(app, 'editor', 'editor2'),
    signIn(app, 'member'),
  ]);
  return { admin, editor, otherEditor, member, visitor: { app, browser: new Browser(app), id: 0, csrf: '' } };
}

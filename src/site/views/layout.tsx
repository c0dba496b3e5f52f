import type { Children } from '@kitajs/html';
import { assetUrl } from './assets.js';
import { CsrfField } from './components/form.js';
import type { PageContext } from './context.js';

export interface LayoutProps {
  title: string;
  description?: string;
  context: PageContext;
  children?: Children;
}

const NAV = [
  { href: '/', label: 'Home' },
  { href: '/articles', label: 'Articles' },
  { href: '/products', label: 'Products' },
] as const;

function isCurrent(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** The page shell: landmarks, navigation, account links. Every value from outside is escaped. */
export function Layout({ title, description, context, children }: LayoutProps): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${title} · foobar.com`}</title>
          {description ? <meta name="description" content={description} /> : ''}
          <link rel="stylesheet" href={assetUrl('site.css')} />
          <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <a class="brand" href="/">
              foobar.com
            </a>
            <nav aria-label="Main">
              <ul>
                {NAV.map((item) => (
                  <li>
                    <a
                      href={item.href}
                      aria-current={isCurrent(context.path, item.href) ? 'page' : undefined}
                    >
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <AccountNav context={context} />
          </header>
          <main id="main" tabindex="-1">
            {children}
          </main>
          <footer class="site-footer">
            <p>© foobar.com</p>
          </footer>
        </body>
      </html>
    </>
  );
}

function AccountNav({ context }: { context: PageContext }): JSX.Element {
  if (!context.user) {
    return (
      <nav aria-label="Account" class="account-nav">
        <ul>
          <li>
            <a href="/login">Log in</a>
          </li>
          <li>
            <a href="/register">Register</a>
          </li>
        </ul>
      </nav>
    );
  }
  return (
    <nav aria-label="Account" class="account-nav">
      <ul>
        <li>
          <a href="/account" safe>
            {context.user.displayName}
          </a>
        </li>
        <li>
          <form method="post" action="/logout" class="inline-form">
            <CsrfField token={context.csrfToken} />
            <button type="submit">Log out</button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

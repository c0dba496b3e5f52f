/** The static pages nginx serves itself (from errorPagesDir) when it cannot or will not ask the app. */
export interface ErrorPage {
  status: number;
  title: string;
  message: string;
}

export const ERROR_PAGES: Readonly<Record<string, ErrorPage>> = {
  '50x.html': {
    status: 503,
    title: "We'll be right back",
    message: 'The site is being updated or restarted. Please try again in a few moments.',
  },
  '413.html': {
    status: 413,
    title: 'That upload is too large',
    message: 'The file or form you sent is bigger than the site accepts. Please send a smaller one.',
  },
  '404.html': {
    status: 404,
    title: 'Page not found',
    message: 'There is nothing at this address.',
  },
};

const STYLE = [
  'body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f6f7f9;color:#1d2330;',
  'font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{max-width:32rem;padding:2rem;text-align:center}',
  'h1{font-size:1.75rem;margin:0 0 .5rem}p{margin:0 0 1rem;color:#4a5263}',
  'a{color:#1f5fbf}small{color:#7a8294}',
].join('');

/** A small, self-contained HTML page: no external CSS, fonts or scripts (the app may be down). */
export function renderErrorPage(page: ErrorPage, homeUrl = '/'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
<p><a href="${escapeHtml(homeUrl)}">Go to the home page</a></p>
<small>Error ${page.status}</small>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import { type ArticleWithAuthor, articleExcerpt } from '../articles/articles.service.js';

/** Characters XML 1.0 forbids even as references: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF. */
function isXmlChar(char: string): boolean {
  const code = char.charCodeAt(0);
  return (
    (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) && code !== 0xfffe && code !== 0xffff
  );
}

/** Text for XML content and attributes: the five predefined entities, forbidden characters dropped. */
export function escapeXml(text: string): string {
  return Array.from(text)
    .filter(isXmlChar)
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An Atom feed (RFC 4287) of published articles; `origin` is the public URL without a trailing slash. Pure. */
export function renderAtomFeed(origin: string, articles: ArticleWithAuthor[], now = new Date()): string {
  const updated =
    articles.length > 0 ? new Date(Math.max(...articles.map((a) => a.updated_at.getTime()))) : now;
  const entries = articles.map((a) => {
    const url = `${origin}/articles/${a.slug}`;
    return [
      '  <entry>',
      `    <id>${escapeXml(url)}</id>`,
      `    <title type="text">${escapeXml(a.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
      `    <published>${(a.published_at ?? a.created_at).toISOString()}</published>`,
      `    <updated>${a.updated_at.toISOString()}</updated>`,
      `    <author><name>${escapeXml(a.author_name)}</name></author>`,
      `    <summary type="text">${escapeXml(articleExcerpt(a, 300))}</summary>`,
      // The stored HTML is already sanitized; as escaped text it cannot break the XML either.
      `    <content type="html">${escapeXml(a.body_html)}</content>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(`${origin}/`)}</id>`,
    '  <title>foobar.com</title>',
    '  <subtitle>News, guides and notes from the foobar.com team.</subtitle>',
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(`${origin}/feed.xml`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(`${origin}/`)}"/>`,
    `  <updated>${updated.toISOString()}</updated>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

export interface SitemapEntry {
  path: string;
  lastmod?: Date;
}

/** A sitemap (sitemaps.org 0.9) of absolute URLs. Pure. */
export function renderSitemap(origin: string, entries: SitemapEntry[]): string {
  const urls = entries.map((e) => {
    const lastmod = e.lastmod ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : '';
    return `  <url><loc>${escapeXml(`${origin}${e.path}`)}</loc>${lastmod}</url>`;
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...urls,
    '</urlset>',
    '',
  ].join('\n');
}

export function renderRobots(origin: string): string {
  return [
    'User-agent: *',
    'Disallow: /api/',
    'Disallow: /account',
    '',
    `Sitemap: ${origin}/sitemap.xml`,
    '',
  ].join('\n');
}

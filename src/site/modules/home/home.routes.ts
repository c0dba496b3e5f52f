import type { App } from '../../app.js';
import { latestArticles, listPublishedFull, listPublishedSlugs } from '../articles/articles.service.js';
import { featuredProducts, listProductSlugs } from '../products/products.service.js';
import { renderAtomFeed, renderRobots, renderSitemap } from './feed.js';
import { HomePage } from './home.views.js';

export interface HomeOptions {
  /** The public origin, e.g. http://www.foobar.com, for absolute links in the feed and sitemap. */
  publicUrl: string;
}

const FEED_SIZE = 20;
/** Feed readers and crawlers poll; five minutes of caching costs nothing and saves queries. */
const SHORT_CACHE = 'public, max-age=300';
/** The sitemap protocol's limit per file. */
const SITEMAP_MAX = 50_000;

/** The home page, the Atom feed, the sitemap and robots.txt. */
export async function homeRoutes(app: App, options: HomeOptions): Promise<void> {
  const origin = options.publicUrl.replace(/\/+$/, '');

  app.get('/', async (_request, reply) => {
    const [latest, products] = await Promise.all([latestArticles(app.db, 5), featuredProducts(app.db, 6)]);
    return reply.html(HomePage({ context: reply.pageContext(), articles: latest, products }));
  });

  app.get('/feed.xml', async (_request, reply) => {
    const items = await listPublishedFull(app.db, FEED_SIZE);
    return reply
      .type('application/atom+xml; charset=utf-8')
      .header('cache-control', SHORT_CACHE)
      .send(renderAtomFeed(origin, items));
  });

  app.get('/sitemap.xml', async (_request, reply) => {
    const [articles, products] = await Promise.all([
      listPublishedSlugs(app.db, SITEMAP_MAX / 2),
      listProductSlugs(app.db, SITEMAP_MAX / 2 - 3),
    ]);
    const entries = [
      { path: '/' },
      { path: '/articles' },
      { path: '/products' },
      ...articles.map((a) => ({ path: `/articles/${a.slug}`, lastmod: a.updated_at })),
      ...products.map((p) => ({ path: `/products/${p.slug}`, lastmod: p.updated_at })),
    ];
    return reply
      .type('application/xml; charset=utf-8')
      .header('cache-control', SHORT_CACHE)
      .send(renderSitemap(origin, entries));
  });

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', SHORT_CACHE).send(renderRobots(origin)),
  );
}

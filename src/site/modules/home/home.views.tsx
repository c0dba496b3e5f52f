import type { PageContext } from '../../views/context.js';
import { Layout } from '../../views/layout.js';
import type { ArticleSummary } from '../articles/articles.service.js';
import { ArticleCard } from '../articles/articles.views.js';
import type { ProductRow } from '../products/products.service.js';
import { ProductGrid } from '../products/products.views.js';

export function HomePage(props: {
  context: PageContext;
  articles: ArticleSummary[];
  products: ProductRow[];
}): JSX.Element {
  const { context, articles, products } = props;
  return (
    <Layout
      title="Home"
      description="foobar.com: articles and products from a small team that likes simple things."
      context={context}
    >
      <section class="hero">
        <h1>Simple things, made well.</h1>
        <p>
          foobar.com is a small shop and a journal: the tools we make, and notes on how we make them. Read the
          latest articles or browse the catalogue.
        </p>
      </section>
      <section aria-labelledby="latest-articles">
        <div class="section-head">
          <h2 id="latest-articles">Latest articles</h2>
          <a href="/articles">All articles →</a>
        </div>
        {articles.length === 0 ? (
          <p class="notice">No articles yet.</p>
        ) : (
          <ul class="article-list">
            {articles.map((article) => (
              <li>
                <ArticleCard article={article} level={3} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="featured-products">
        <div class="section-head">
          <h2 id="featured-products">Featured products</h2>
          <a href="/products">All products →</a>
        </div>
        {products.length === 0 ? (
          <p class="notice">No products yet.</p>
        ) : (
          <ProductGrid products={products} level={3} />
        )}
      </section>
    </Layout>
  );
}

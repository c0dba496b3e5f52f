import type { FieldError } from '../../errors.js';
import { formatDate } from '../../lib/format.js';
import { shorten } from '../../lib/markdown.js';
import { Pager } from '../../lib/pager.js';
import { CsrfField, EditDeleteActions, FormErrors, TextField } from '../../views/components/form.js';
import type { PageContext } from '../../views/context.js';
import { Layout } from '../../views/layout.js';
import {
  type ArticlePage,
  type ArticleSummary,
  type ArticleWithAuthor,
  articleExcerpt,
} from './articles.service.js';

function Byline({ article }: { article: ArticleSummary | ArticleWithAuthor }): JSX.Element {
  const date = article.published_at ?? article.updated_at;
  return (
    <p class="meta">
      <time datetime={date.toISOString()}>{formatDate(date)}</time> · by{' '}
      <span safe>{article.author_name}</span>
      {article.status === 'draft' ? (
        <>
          {' '}
          <span class="badge badge-draft">Draft</span>
        </>
      ) : (
        ''
      )}
    </p>
  );
}

/** One article in a list: title link, byline and a plain-text excerpt (escaped). */
export function ArticleCard({ article, level = 2 }: { article: ArticleSummary; level?: 2 | 3 }): JSX.Element {
  const link = (
    <a href={`/articles/${article.slug}`} safe>
      {article.title}
    </a>
  );
  return (
    <article class="article-card">
      {level === 2 ? <h2>{link}</h2> : <h3>{link}</h3>}
      <Byline article={article} />
      <p safe>{shorten(article.excerpt, 220)}</p>
    </article>
  );
}

export interface ArticleListProps {
  context: PageContext;
  list: ArticlePage;
  drafts: ArticleSummary[];
  canCreate: boolean;
}

export function ArticleListPage({ context, list, drafts, canCreate }: ArticleListProps): JSX.Element {
  return (
    <Layout title="Articles" description="News, guides and notes from the foobar.com team." context={context}>
      <div class="section-head">
        <h1>Articles</h1>
        {canCreate ? (
          <a class="button" href="/articles/new">
            New article
          </a>
        ) : (
          ''
        )}
      </div>
      {drafts.length > 0 ? (
        <section aria-labelledby="drafts-heading">
          <h2 id="drafts-heading">Drafts</h2>
          <ul class="article-list">
            {drafts.map((article) => (
              <li>
                <ArticleCard article={article} level={3} />
              </li>
            ))}
          </ul>
          <h2>Published</h2>
        </section>
      ) : (
        ''
      )}
      {list.items.length === 0 ? (
        <p class="notice">No articles yet.</p>
      ) : (
        <ul class="article-list">
          {list.items.map((article) => (
            <li>
              <ArticleCard article={article} />
            </li>
          ))}
        </ul>
      )}
      <Pager base="/articles" page={list.page} pageCount={list.pageCount} />
    </Layout>
  );
}

export interface ArticleViewProps {
  context: PageContext;
  article: ArticleWithAuthor;
  canEdit: boolean;
  csrfToken: string;
}

export function ArticleView({ context, article, canEdit, csrfToken }: ArticleViewProps): JSX.Element {
  return (
    <Layout title={article.title} description={articleExcerpt(article, 160)} context={context}>
      <article>
        <header class="article-header">
          <p class="meta">
            <a href="/articles">← All articles</a>
          </p>
          <h1 safe>{article.title}</h1>
          <Byline article={article} />
        </header>
        {/* Sanitized when written (lib/markdown.ts): the one place HTML is printed unescaped. */}
        <div class="prose">{article.body_html}</div>
      </article>
      {canEdit ? <EditDeleteActions path={`/articles/${article.slug}`} csrfToken={csrfToken} /> : ''}
    </Layout>
  );
}

export interface ArticleFormValues {
  title?: string;
  body?: string;
  status?: string;
}

export interface ArticleFormProps {
  context: PageContext;
  csrfToken: string;
  /** Present when editing. */
  slug?: string;
  values: ArticleFormValues;
  errors?: readonly FieldError[];
}

export function ArticleFormPage({
  context,
  csrfToken,
  slug,
  values,
  errors = [],
}: ArticleFormProps): JSX.Element {
  const editing = slug !== undefined;
  const title = editing ? 'Edit article' : 'New article';
  const bodyError = errors.find((e) => e.field === 'body');
  const status = values.status === 'published' ? 'published' : 'draft';
  return (
    <Layout title={title} context={context}>
      <h1>{title}</h1>
      <FormErrors errors={errors} />
      <form
        method="post"
        action={editing ? `/articles/${slug}/edit` : '/articles'}
        class="stacked"
        novalidate
      >
        <CsrfField token={csrfToken} />
        <TextField name="title" label="Title" value={values.title} required maxlength={200} errors={errors} />
        <div class="field">
          <label for="field-body">Body</label>
          <p class="hint" id="field-body-hint">
            Markdown: **bold**, _italic_, [links](https://example.com), lists, `code`.
          </p>
          <textarea
            id="field-body"
            name="body"
            required
            aria-invalid={bodyError ? 'true' : undefined}
            aria-describedby={bodyError ? 'field-body-hint field-body-error' : 'field-body-hint'}
            safe
          >
            {values.body ?? ''}
          </textarea>
          {bodyError ? (
            <p class="field-error" id="field-body-error" safe>
              {bodyError.message}
            </p>
          ) : (
            ''
          )}
        </div>
        <fieldset>
          <legend>Status</legend>
          <div class="radio-row">
            <label>
              <input type="radio" name="status" value="draft" checked={status === 'draft'} /> Draft
            </label>
            <label>
              <input type="radio" name="status" value="published" checked={status === 'published'} />{' '}
              Published
            </label>
          </div>
        </fieldset>
        <div class="form-actions">
          <button type="submit">{editing ? 'Save changes' : 'Create article'}</button>
          <a href={editing ? `/articles/${slug}` : '/articles'}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

import { type Kysely, sql } from 'kysely';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const BATCH = 500;
const EXCERPT_MAX = 300;

// A frozen copy of lib/markdown.ts's excerpt() as it was when this migration was written: a
// migration describes one point in history, so it must not change when the live code does.
// Only npm packages are imported (never the site's own modules).
const marked = new Marked({ gfm: true, breaks: false, async: false });
const NOT_PROSE = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'table',
  'ul',
  'ol',
  'blockquote',
  'script',
  'style',
  'textarea',
];

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const lastSpace = cut.lastIndexOf(' ');
  const head = lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut;
  return `${head.replace(/[\s.,;:!?…-]+$/, '')}…`;
}

function excerpt(markdown: string, maxLength: number): string {
  const html = marked.parse(markdown, { async: false });
  const paragraphs = sanitizeHtml(html, {
    allowedTags: ['p'],
    allowedAttributes: {},
    nonTextTags: NOT_PROSE,
  });
  const prose = decodeEntities(paragraphs.replace(/<\/?p>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  const text =
    prose ||
    decodeEntities(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }))
      .replace(/\s+/g, ' ')
      .trim();
  return shorten(text, maxLength);
}

/**
 * Expand step: a stored plain-text excerpt, so pages never run Markdown on a read (the article
 * page's meta description and every list card used to). Nullable: code that inserts rows
 * without it (an older release, the bench loader) still works, and readers fall back to
 * computing it from body_md when it is null.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // 300 characters and an ellipsis, with room to spare.
  await sql`alter table articles add column excerpt varchar(320) null after body_html`.execute(db);
  // The editors' draft list: WHERE status = 'draft' ORDER BY updated_at DESC, id DESC, without a filesort.
  await db.schema
    .createIndex('articles_status_updated_at_id')
    .on('articles')
    .columns(['status', 'updated_at', 'id'])
    .execute();
  let lastId = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; body_md: string }>`
      select id, body_md from articles where id > ${lastId} and excerpt is null order by id limit ${BATCH}
    `.execute(db);
    for (const row of rows) {
      await sql`update articles set excerpt = ${excerpt(row.body_md, EXCERPT_MAX)} where id = ${row.id}`.execute(
        db,
      );
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) break;
    lastId = Number(last.id);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('articles_status_updated_at_id').on('articles').execute();
  await sql`alter table articles drop column excerpt`.execute(db);
}

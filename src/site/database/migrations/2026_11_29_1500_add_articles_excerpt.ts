import { type Kysely, sql } from 'kysely';
import { EXCERPT_MAX, excerpt } from '../../lib/markdown.js';

const BATCH = 500;

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

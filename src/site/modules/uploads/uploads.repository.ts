import type { Db } from '../../database/database.js';
import type { NewUploadRow, UploadRow } from './uploads.table.js';

export async function findUploadByName(db: Db, name: string): Promise<UploadRow | undefined> {
  return await db.selectFrom('uploads').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function insertUpload(db: Db, row: NewUploadRow): Promise<void> {
  await db.insertInto('uploads').values(row).execute();
}

/** Inserts unless the name is taken; true when this call inserted it. */
export async function insertUploadIfAbsent(db: Db, row: NewUploadRow): Promise<boolean> {
  const result = await db.insertInto('uploads').ignore().values(row).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function uploadChecksum(db: Db, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('uploads').select('sha256').where('name', '=', name).executeTakeFirst();
  return row?.sha256;
}

export async function deleteUploadByName(db: Db, name: string): Promise<void> {
  await db.deleteFrom('uploads').where('name', '=', name).execute();
}

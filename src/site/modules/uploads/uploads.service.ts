import { UPLOADS_URL_PREFIX } from '../../../contract.js';
import type { Db } from '../../database/database.js';
import { errors } from '../../errors.js';
import { deleteUploadByName, findUploadByName, insertUpload } from './uploads.repository.js';
import type { NewUploadRow, UploadRow } from './uploads.table.js';

export type { NewUploadRow, UploadRow };

/** The names this site gives uploads: 32 random hex digits and the detected image type. */
export const UPLOAD_NAME = /^[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

/** Detected extension → the Content-Type it is served with. */
export const UPLOAD_TYPES: ReadonlyMap<string, string> = new Map([
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['webp', 'image/webp'],
  ['gif', 'image/gif'],
]);

/** /uploads/<name> → name, for names this site made; anything else → null. */
export function uploadNameOf(path: string | null): string | null {
  if (!path?.startsWith(UPLOADS_URL_PREFIX)) return null;
  const name = path.slice(UPLOADS_URL_PREFIX.length);
  return UPLOAD_NAME.test(name) ? name : null;
}

export function uploadPath(name: string): string {
  return `${UPLOADS_URL_PREFIX}${name}`;
}

/** Stores a checked file; call it inside the transaction that writes the row naming it. */
export async function storeUpload(db: Db, upload: NewUploadRow): Promise<string> {
  await insertUpload(db, upload);
  return uploadPath(upload.name);
}

/** Deletes the upload an image path names, if it is one of ours. */
export async function removeUpload(db: Db, imagePath: string | null): Promise<void> {
  const name = uploadNameOf(imagePath);
  if (name) await deleteUploadByName(db, name);
}

export async function getUpload(db: Db, name: string): Promise<UploadRow> {
  const upload = UPLOAD_NAME.test(name) ? await findUploadByName(db, name) : undefined;
  if (!upload) throw errors.notFound();
  return upload;
}

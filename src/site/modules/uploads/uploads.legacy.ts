import { createHash } from 'node:crypto';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../../database/database.js';
import { insertUploadIfAbsent, uploadChecksum } from './uploads.repository.js';
import { UPLOAD_NAME, UPLOAD_TYPES } from './uploads.service.js';

/** A staging file older than this belongs to no request still running (a worker died mid-upload). */
const STALE_TEMP_MS = 24 * 3600 * 1000;
const TEMP_PREFIX = '.upload-';

export interface LegacyImport {
  imported: number;
  /** Files whose name was already in the table with the same bytes (an earlier, interrupted run). */
  alreadyThere: number;
  /** Files left on disk: a name in the table with other bytes, or content we no longer recognise. */
  kept: string[];
}

/**
 * Moves the files an older release wrote to `<stateDir>/uploads/` into the uploads table. A file
 * is deleted only once a row with its name AND its SHA-256 is committed, so an interrupted run
 * loses nothing and the next one finishes it: idempotent. Only names this site makes are read;
 * leftover staging files of dead workers are removed.
 */
export async function importLegacyUploads(db: Db, dir: string, now = Date.now()): Promise<LegacyImport> {
  const result: LegacyImport = { imported: 0, alreadyThere: 0, kept: [] };
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (name.startsWith(TEMP_PREFIX)) {
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
      continue;
    }
    if (!UPLOAD_NAME.test(name)) continue;
    const info = await stat(path);
    const data = await readFile(path);
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const detected = await fileTypeFromBuffer(data);
    const contentType = UPLOAD_TYPES.get(ext);
    if (!contentType || detected?.ext !== ext) {
      result.kept.push(name);
      continue;
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    const inserted = await insertUploadIfAbsent(db, {
      name,
      content_type: contentType,
      byte_length: data.length,
      sha256,
      data,
      created_at: new Date(info.mtimeMs),
    });
    if ((await uploadChecksum(db, name)) !== sha256) {
      result.kept.push(name);
      continue;
    }
    await unlink(path);
    if (inserted) result.imported++;
    else result.alreadyThere++;
  }
  return result;
}

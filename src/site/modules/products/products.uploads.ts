import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import { errors, SiteError } from '../../errors.js';
import { type NewUploadRow, UPLOAD_TYPES } from '../uploads/uploads.service.js';

/**
 * Product images. A file is streamed to a temporary name in the staging directory (never the
 * whole body in memory while it arrives), its type is read from its first bytes, not from its
 * name or the browser's claim, and only then is it given a random public name. The bytes go to
 * the uploads table in the transaction that saves the product; the staging file is always
 * deleted when the request ends, whatever happened.
 */

/** Temporary names start with a dot; the legacy import skips them (and sweeps stale ones). */
const TEMP_PREFIX = '.upload-';

export interface StagedImage {
  /** The checked file as an uploads row (read from the staging file). */
  upload(): Promise<NewUploadRow>;
  /** Deletes the staging file; safe to call more than once. */
  discard(): Promise<void>;
}

export function tooLarge(maxBytes: number): SiteError {
  const mb = maxBytes >= 1024 * 1024 ? `${(maxBytes / (1024 * 1024)).toFixed(1)} MB` : `${maxBytes} bytes`;
  return new SiteError('UPLOAD_TOO_LARGE', 413, `The image is too large: at most ${mb}.`, [
    { field: 'image', message: `The image must be at most ${mb}.` },
  ]);
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Streams one uploaded file into `dir` and checks it. Returns null for an empty part (a form
 * sent without choosing a file). `truncated()` reports whether the size limit cut the stream.
 */
export async function stageImage(
  file: Readable,
  dir: string,
  maxBytes: number,
  truncated: () => boolean,
): Promise<StagedImage | null> {
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
  try {
    await pipeline(file, createWriteStream(tempPath, { flags: 'wx', mode: 0o600 }));
    if (truncated()) throw tooLarge(maxBytes);
    if ((await stat(tempPath)).size === 0) {
      await removeQuietly(tempPath);
      return null;
    }
    const type = await fileTypeFromFile(tempPath);
    const contentType = type ? UPLOAD_TYPES.get(type.ext) : undefined;
    if (!type || !contentType) {
      throw errors.validation('The file is not an image we accept.', [
        { field: 'image', message: 'The image must be a PNG, JPEG, WebP or GIF file.' },
      ]);
    }
    const name = `${randomBytes(16).toString('hex')}.${type.ext}`;
    return {
      async upload() {
        const data = await readFile(tempPath);
        const sha256 = createHash('sha256').update(data).digest('hex');
        return { name, content_type: contentType, byte_length: data.length, sha256, data };
      },
      discard: () => removeQuietly(tempPath),
    };
  } catch (error) {
    await removeQuietly(tempPath);
    if (truncated()) throw tooLarge(maxBytes);
    throw error;
  }
}

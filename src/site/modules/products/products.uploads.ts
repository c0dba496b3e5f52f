import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import { UPLOADS_URL_PREFIX } from '../../../contract.js';
import { errors, SiteError } from '../../errors.js';

/**
 * Product images. A file is streamed to a temporary name inside the uploads directory (same
 * filesystem, so the final rename is atomic), its type is read from its first bytes, not from
 * its name or the browser's claim, and only then is it renamed to a random name. Anything
 * refused is deleted: nothing half-written or unchecked ever has a public name.
 */

/** Detected extension → what we accept. */
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'webp', 'gif']);
/** Temporary names start with a dot: Nginx should not serve dotfiles under /uploads/. */
const TEMP_PREFIX = '.upload-';
const STORED_NAME = /^[0-9a-f]{32}\.(png|jpg|webp|gif)$/;

export interface StagedImage {
  /** Moves the checked file to its public name; returns its path under /uploads/. */
  commit(): Promise<string>;
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
    await pipeline(file, createWriteStream(tempPath, { flags: 'wx', mode: 0o644 }));
    if (truncated()) throw tooLarge(maxBytes);
    if ((await stat(tempPath)).size === 0) {
      await removeQuietly(tempPath);
      return null;
    }
    const type = await fileTypeFromFile(tempPath);
    if (!type || !IMAGE_EXTENSIONS.has(type.ext)) {
      throw errors.validation('The file is not an image we accept.', [
        { field: 'image', message: 'The image must be a PNG, JPEG, WebP or GIF file.' },
      ]);
    }
    const name = `${randomBytes(16).toString('hex')}.${type.ext}`;
    return {
      async commit() {
        await rename(tempPath, join(dir, name));
        return `${UPLOADS_URL_PREFIX}${name}`;
      },
      discard: () => removeQuietly(tempPath),
    };
  } catch (error) {
    await removeQuietly(tempPath);
    if (truncated()) throw tooLarge(maxBytes);
    throw error;
  }
}

/** Deletes a stored image by its /uploads/ path; only names this module made are touched. */
export async function removeStoredImage(dir: string, imagePath: string | null): Promise<void> {
  if (!imagePath?.startsWith(UPLOADS_URL_PREFIX)) return;
  const name = basename(imagePath);
  if (!STORED_NAME.test(name)) return;
  await removeQuietly(join(dir, name));
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSETS_URL_PREFIX, SITE_ASSETS_DIR } from '../../contract.js';

// This file sits three levels below the release root both as src/site/views/assets.ts and
// dist/site/views/assets.js, so the release root is the same relative path in dev and in a build.
const RELEASE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_ASSETS_DIR = join(RELEASE_ROOT, SITE_ASSETS_DIR);

let manifest: Record<string, string> = {};

/** Reads `manifest.json` ({ "site.css": "site.3f2a1b.css" }) once at start; without it, plain names. */
export function loadAssetManifest(dir: string = DEFAULT_ASSETS_DIR): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest = isStringRecord(parsed) ? parsed : {};
  } catch {
    manifest = {};
  }
  return manifest;
}

/** The public URL of a built asset, with its content-hashed name when the manifest has one. */
export function assetUrl(name: string): string {
  return ASSETS_URL_PREFIX + (manifest[name] ?? name);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

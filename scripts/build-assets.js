#!/usr/bin/env node
// Builds the site's static assets for Nginx: every file under src/site/assets is copied to
// dist/public/assets/<name>.<sha256-8>.<ext> (content-hashed, so Nginx can cache it as
// immutable), text files get .gz and .br siblings (gzip_static / brotli_static), and
// manifest.json maps each plain name to its hashed name for the site's templates.
// Plain Node ESM with no dependencies: it runs before anything else is built.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEXT_EXTENSIONS = new Set([
  '.css',
  '.js',
  '.mjs',
  '.svg',
  '.json',
  '.txt',
  '.xml',
  '.map',
  '.webmanifest',
]);

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => !entry.name.startsWith('.'))
      .map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat().sort();
}

export function hashedName(name, content) {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8);
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
}

/** Points url(...) references in CSS at the hashed names of the files they name. */
export function rewriteCssUrls(css, cssName, manifest) {
  const base = dirname(cssName);
  return css.replace(/url\(\s*(["']?)([^"')\s]+)\1\s*\)/g, (whole, quote, ref) => {
    if (/^(?:[a-z]+:|\/|#)/i.test(ref)) return whole;
    const target = join(base, ref).split(sep).join('/');
    const hashed = manifest[target];
    if (!hashed) return whole;
    return `url(${quote}${relative(base, hashed).split(sep).join('/')}${quote})`;
  });
}

export async function buildAssets({ sourceDir, outDir }) {
  const files = await listFiles(sourceDir);
  const names = files.map((file) => relative(sourceDir, file).split(sep).join('/'));
  // Build into a fresh sibling directory and swap it in, so a half-built tree is never served.
  const tempDir = `${outDir}.tmp-${process.pid}`;
  await rm(tempDir, { recursive: true, force: true });
  await mkdir(tempDir, { recursive: true });
  const manifest = {};
  // Stylesheets last: they refer to the hashed names of the other files.
  const order = names.map((name, i) => ({ name, file: files[i] }));
  order.sort((a, b) => Number(extname(a.name) === '.css') - Number(extname(b.name) === '.css'));
  for (const { name, file } of order) {
    let content = await readFile(file);
    if (extname(name) === '.css')
      content = Buffer.from(rewriteCssUrls(content.toString('utf8'), name, manifest));
    const hashed = hashedName(name, content);
    manifest[name] = hashed;
    const target = join(tempDir, hashed);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    if (TEXT_EXTENSIONS.has(extname(name))) {
      await writeFile(`${target}.gz`, gzipSync(content, { level: 9 }));
      await writeFile(
        `${target}.br`,
        brotliCompressSync(content, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
          },
        }),
      );
    }
  }
  await writeFile(join(tempDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(dirname(outDir), { recursive: true });
  await rename(tempDir, outDir);
  return manifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Optional arguments (used by the tests): SOURCE_DIR OUT_DIR.
  const [sourceDir = join(ROOT, 'src/site/assets'), outDir = join(ROOT, 'dist/public/assets')] =
    process.argv.slice(2);
  const manifest = await buildAssets({ sourceDir, outDir });
  process.stdout.write(
    `assets: ${Object.keys(manifest).length} files → ${relative(ROOT, outDir) || outDir}\n`,
  );
}

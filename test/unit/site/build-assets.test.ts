import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

const SCRIPT = fileURLToPath(new URL('../../../scripts/build-assets.js', import.meta.url));
const REAL_ASSETS = fileURLToPath(new URL('../../../src/site/assets', import.meta.url));

async function build(t: { after: (fn: () => Promise<void>) => void }, sourceDir: string) {
  const outDir = join(await mkdtemp(join(tmpdir(), 'assets-out-')), 'assets');
  t.after(() => rm(join(outDir, '..'), { recursive: true, force: true }));
  await promisify(execFile)(process.execPath, [SCRIPT, sourceDir, outDir]);
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as Record<
    string,
    string
  >;
  return { outDir, manifest };
}

describe('build-assets', () => {
  it('names each file by its content hash and maps it in manifest.json', async (t) => {
    const source = await mkdtemp(join(tmpdir(), 'assets-src-'));
    t.after(() => rm(source, { recursive: true, force: true }));
    await mkdir(join(source, 'icons'));
    await writeFile(join(source, 'icons', 'dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(
      join(source, 'a.css'),
      'body { background: url("icons/dot.svg") } .x { background: url(https://x/y.png) }',
    );
    await writeFile(join(source, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const { outDir, manifest } = await build(t, source);

    const svgHash = createHash('sha256')
      .update('<svg xmlns="http://www.w3.org/2000/svg"/>')
      .digest('hex')
      .slice(0, 8);
    assert.equal(manifest['icons/dot.svg'], `icons/dot.${svgHash}.svg`);
    assert.match(manifest['a.css'] ?? '', /^a\.[0-9a-f]{8}\.css$/);
    assert.match(manifest['photo.png'] ?? '', /^photo\.[0-9a-f]{8}\.png$/);

    const css = await readFile(join(outDir, manifest['a.css'] ?? ''), 'utf8');
    assert.match(css, new RegExp(`url\\("icons/dot\\.${svgHash}\\.svg"\\)`), 'CSS points at the hashed file');
    assert.match(css, /url\(https:\/\/x\/y\.png\)/, 'absolute URLs are left alone');
  });

  it('writes gzip and brotli siblings for text files only', async (t) => {
    const source = await mkdtemp(join(tmpdir(), 'assets-src-'));
    t.after(() => rm(source, { recursive: true, force: true }));
    await writeFile(join(source, 'site.css'), 'p { color: red }\n'.repeat(50));
    await writeFile(join(source, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const { outDir, manifest } = await build(t, source);
    const css = join(outDir, manifest['site.css'] ?? '');
    const original = await readFile(css);
    assert.deepEqual(gunzipSync(await readFile(`${css}.gz`)), original);
    assert.deepEqual(brotliDecompressSync(await readFile(`${css}.br`)), original);
    const files = await readdir(outDir);
    assert.equal(files.filter((f) => f.startsWith('photo.')).length, 1, 'no compressed copies of images');
  });

  it('builds the real stylesheet, logo and favicon', async (t) => {
    const { manifest } = await build(t, REAL_ASSETS);
    for (const name of ['site.css', 'logo.svg', 'favicon.svg']) assert.ok(manifest[name], name);
  });
});

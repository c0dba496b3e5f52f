import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebstackError } from '../core/errors.js';
import type { Host } from '../host/host.js';
import { localHost } from '../host/index.js';
import { sha256File } from '../operations/backup/backup.js';
import { releaseDir } from '../operations/release/release.js';
import type { HostLayout, OperatorPaths } from './hosts.js';

/** The sha256 of a file on a host, or null when it is not there. */
async function remoteSha256(host: Host, path: string): Promise<string | null> {
  const result = await host.run(['sha256sum', '--', path], { okCodes: [0, 1] });
  return result.code === 0 ? (result.stdout.split(/\s+/)[0] ?? null) : null;
}

/**
 * Copies a local file onto the host and checks it arrived whole: the copy's sha256 must be the
 * original's, or the copy is removed and the verb stops.
 */
async function copyChecked(host: Host & { name: string }, local: string, remote: string): Promise<void> {
  const expected = await sha256File(local);
  if ((await remoteSha256(host, remote)) === expected) return;
  await host.mkdir(dirname(remote), { mode: 0o755 });
  await host.copyIn(local, remote);
  const actual = await remoteSha256(host, remote);
  if (actual !== expected) {
    await host.remove(remote);
    throw new WebstackError('CLUSTER_COPY_CORRUPT', remote, host.name, String(actual), expected);
  }
}

/** The Node.js runtime this webstack runs on, onto the host (once per Node.js version). */
export async function shipRuntime(host: Host & { name: string }, layout: HostLayout): Promise<boolean> {
  const node = await realpath(process.execPath);
  if ((await remoteSha256(host, layout.node)) === (await sha256File(node))) return false;
  await copyChecked(host, node, layout.node);
  await host.chmod(layout.node, 0o755);
  return true;
}

function releaseArchive(operator: OperatorPaths, id: string): string {
  return join(operator.archives, `${id}.tar`);
}

/** The one archive of a release that travels to every host: made once, before any copy starts. */
export async function packRelease(operator: OperatorPaths, id: string): Promise<void> {
  const archive = releaseArchive(operator, id);
  if (await localHost.exists(archive)) return;
  await localHost.mkdir(operator.archives, { mode: 0o700 });
  const partial = `${archive}.partial`;
  // Owned by root on every host whoever built it here: root runs these files there.
  await localHost.run([
    'tar',
    '-C',
    operator.state.releases,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-cf',
    partial,
    '--',
    id,
  ]);
  await localHost.rename(partial, archive);
}

/**
 * A release onto the host, as one archive whose checksum is verified on arrival, then unpacked
 * under its final name (a release directory appears only complete). Returns false when the host
 * has it already.
 */
export async function shipRelease(
  host: Host & { name: string },
  operator: OperatorPaths,
  layout: HostLayout,
  id: string,
): Promise<boolean> {
  const target = releaseDir(layout.paths, id);
  if (await host.exists(target)) return false;
  const archive = releaseArchive(operator, id);
  const remoteArchive = join(layout.paths.releases, `${id}.tar.in`);
  await copyChecked(host, archive, remoteArchive);
  const staging = `${target}.tmp`;
  await host.remove(staging);
  await host.mkdir(staging, { mode: 0o755 });
  await host.run(['tar', '-C', staging, '-xf', remoteArchive]);
  await host.rename(join(staging, id), target);
  await host.remove(staging);
  await host.remove(remoteArchive);
  return true;
}

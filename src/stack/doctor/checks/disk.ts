import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { type Check, ok } from '../check.js';

export const diskCheck: Check = {
  title: 'disk',
  async run(config) {
    const dir = existsSync(config.stateDir) ? config.stateDir : '/';
    const fs = await statfs(dir);
    const free = fs.bavail / fs.blocks;
    const freeGiB = (fs.bavail * fs.bsize) / 2 ** 30;
    if (free < 0.05 || freeGiB < 1)
      return {
        severity: 'critical',
        detail: `${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%) under ${dir}`,
        fix: 'free disk space: prune old backups (`webstack backup --keep 3`) and releases, or grow the disk',
      };
    if (free < 0.15)
      return {
        severity: 'warning',
        detail: `${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%)`,
        fix: 'plan more disk space before the database grows',
      };
    return ok(`${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%)`);
  },
};

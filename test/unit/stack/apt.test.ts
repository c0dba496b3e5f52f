import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  install,
  installHint,
  parseInstalled,
  queryInstalled,
} from '../../../src/stack/operations/install/apt.js';
import { releaseId } from '../../../src/stack/operations/release/release.js';

test('apt argv: install without recommends, query with a parseable format', () => {
  assert.deepEqual(install(['nginx', 'mariadb-server']), [
    'apt-get',
    'install',
    '-y',
    '-q',
    '--no-install-recommends',
    'nginx',
    'mariadb-server',
  ]);
  assert.deepEqual(queryInstalled(['nginx']), [
    'dpkg-query',
    '--show',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    '--showformat=${Package} ${db:Status-Status}\\n',
    'nginx',
  ]);
  assert.equal(installHint(['nginx', 'wrk']), 'sudo apt-get install -y --no-install-recommends nginx wrk');
});

test('only packages dpkg calls installed count as installed', () => {
  const installed = parseInstalled('nginx installed\nmariadb-server config-files\nwrk not-installed\n\n');
  assert.deepEqual([...installed], ['nginx']);
});

test('release ids sort by time and carry the revision', () => {
  const id = releaseId(new Date('2026-11-29T14:25:01.500Z'), '3f2a1b9c');
  assert.equal(id, '20261129-142501-3f2a1b9c');
  assert.equal(releaseId(new Date('2026-11-29T14:25:01Z'), null), '20261129-142501');
  assert.ok(releaseId(new Date('2026-11-29T14:25:02Z'), 'a') > id);
});

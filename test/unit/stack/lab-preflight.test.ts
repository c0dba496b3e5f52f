import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { checkLabDir, LAB_TOOLS, requireFreshDir } from '../../../src/stack/lab/preflight.js';

async function refusal(dir: string): Promise<string> {
  try {
    await checkLabDir(dir);
  } catch (error) {
    assert.ok(isWebstackError(error));
    return error.code;
  }
  assert.fail(`expected ${dir} to be refused`);
}

test('a lab directory under /tmp is refused: sshd StrictModes would refuse its keys', async () => {
  assert.equal(await refusal('/tmp/webstack-lab'), 'LAB_DIR_UNSAFE');
});

test('a lab directory inside a path each host replaces is refused', async () => {
  assert.equal(await refusal('/var/lib/webstack/lab'), 'LAB_DIR_COVERED');
  assert.equal(await refusal('/run/lab'), 'LAB_DIR_COVERED');
  assert.equal(await refusal('/root/lab'), 'LAB_DIR_COVERED');
});

test('a relative lab directory is refused with the absolute one as the fix', async () => {
  assert.equal(await refusal('lab'), 'LAB_DIR_RELATIVE');
});

test('every program the lab runs names the Debian package that provides it', () => {
  const packages = Object.fromEntries(LAB_TOOLS.map((tool) => [tool.program, tool.pkg]));
  assert.equal(packages.sshd, 'openssh-server');
  assert.equal(packages['ssh-keygen'], 'openssh-client');
  assert.equal(packages.ip, 'iproute2');
  assert.equal(packages.nsenter, 'util-linux');
  assert.equal(packages.unshare, 'util-linux');
});

test('lab up takes only a new or empty directory: the lab’s directory is its own', async () => {
  await requireFreshDir('/nonexistent/webstack-lab');
  await assert.rejects(
    requireFreshDir('/etc'),
    (error) => isWebstackError(error) && error.code === 'LAB_DIR_NOT_EMPTY',
  );
});

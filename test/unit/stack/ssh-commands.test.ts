import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { shellQuote, sshClose, sshFailure, sshRun } from '../../../src/stack/host/ssh-commands.js';

const files = { knownHosts: '/var/lib/webstack/ssh/known_hosts', controlDir: '/var/lib/webstack/run/ssh' };
const target = { address: '198.18.0.12', user: 'root', port: 22 };

/** What a POSIX shell makes of a quoted line: the words it runs, each NUL-terminated. */
function wordsOf(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('a quoted argv reaches the remote shell word for word, whatever the words hold', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'binary', minLength: 1 }).filter((s) => !s.includes('\0')),
        { minLength: 1, maxLength: 6 },
      ),
      (argv) => {
        assert.deepEqual(wordsOf(shellQuote(argv)), argv);
      },
    ),
    { numRuns: 200 },
  );
});

test('quoting neutralises shell syntax', () => {
  const hostile = ['$(touch /tmp/pwned)', '`id`', "it's", 'a;b', 'x && y', '*', '~', '\n', ''];
  assert.deepEqual(wordsOf(shellQuote(['printf', ...hostile]).replace(/^printf /, '')), hostile);
});

test('a command over ssh: batch mode, pinned keys, one multiplexed connection, env through env(1)', () => {
  assert.deepEqual(sshRun(target, files, ['systemctl', 'is-active', 'nginx'], { env: { A: 'b c' } }), [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    'UserKnownHostsFile=/var/lib/webstack/ssh/known_hosts',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'HashKnownHosts=no',
    '-o',
    'ControlMaster=auto',
    '-o',
    'ControlPath=/var/lib/webstack/run/ssh/%C',
    '-o',
    'ControlPersist=120',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
    '-p',
    '22',
    '-l',
    'root',
    '--',
    '198.18.0.12',
    "env 'A=b c' systemctl is-active nginx",
  ]);
});

test('another user goes through sudo -n; an identity file is the only key offered', () => {
  const argv = sshRun({ ...target, user: 'deploy', port: 2222, identityFile: '/keys/lab' }, files, ['id'], {
    cwd: '/var/lib/webstack',
  });
  assert.deepEqual(argv.slice(-7), [
    '-p',
    '2222',
    '-l',
    'deploy',
    '--',
    '198.18.0.12',
    'cd /var/lib/webstack && sudo -n -- id',
  ]);
  assert.ok(argv.includes('IdentityFile=/keys/lab') && argv.includes('IdentitiesOnly=yes'));
});

test('closing the multiplexed connection', () => {
  assert.deepEqual(sshClose(target, files).slice(-4), ['-O', 'exit', '--', '198.18.0.12']);
});

test("ssh's failures are told apart", () => {
  assert.equal(
    sshFailure('@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n'),
    'host-key-changed',
  );
  assert.equal(sshFailure('ssh: connect to host 198.18.0.12 port 22: Connection refused'), 'unreachable');
  assert.equal(sshFailure('root@198.18.0.12: Permission denied (publickey).'), 'auth');
  assert.equal(sshFailure('bash: line 1: nginx: command not found'), null);
});

test("with a session, the multiplexing socket is this process's own", () => {
  const argv = sshRun(target, { ...files, session: '4242' }, ['true']);
  assert.ok(argv.includes(`ControlPath=${files.controlDir}/%C-4242`), argv.join(' '));
});

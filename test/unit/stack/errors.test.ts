import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERRORS, isErrorCode, systemError, WebstackError } from '../../../src/stack/core/errors.js';

test('every error in the table has a one-line message and a fix', () => {
  for (const [code, { message, fix }] of Object.entries(ERRORS)) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/, code);
    assert.ok(message.trim() !== '' && !message.includes('\n'), `${code} message`);
    assert.ok(fix.trim() !== '' && !fix.includes('\n'), `${code} fix`);
  }
});

test('a thrown error fills its placeholders in order: the message first, then the fix', () => {
  const error = new WebstackError('CONFIG_INVALID', 'http.port', '0', 'must be a port number', 'http.port');
  assert.equal(error.code, 'CONFIG_INVALID');
  assert.equal(error.message, 'config key "http.port" has the value 0: must be a port number');
  assert.equal(
    error.fix,
    'edit the config file and set "http.port" to a valid value (or remove it to use the default)',
  );
  assert.equal(error.name, 'WebstackError');
});

test('numbers fill placeholders, and a trailing { cause } is kept, not formatted', () => {
  const cause = new Error('inner');
  const error = new WebstackError('STOP_TIMEOUT', 42, 10, 42, { cause });
  assert.equal(error.message, 'process 42 is still running after 10s');
  assert.equal(error.fix, 'see `webstack logs webstack`; if it hangs, kill 42');
  assert.equal(error.cause, cause);
});

test('an error with no placeholders takes no values', () => {
  const error = new WebstackError('APP_NOT_RUNNING');
  assert.equal(error.message, 'the application server is not running');
  assert.equal(error.fix, 'run `webstack up`');
});

test('an error from the control socket keeps the texts the supervisor formatted', () => {
  const error = WebstackError.received({ code: 'DEPLOY_LOCKED', message: 'busy (pid 7)', fix: 'wait' });
  assert.ok(error instanceof WebstackError);
  assert.deepEqual([error.code, error.message, error.fix], ['DEPLOY_LOCKED', 'busy (pid 7)', 'wait']);
  const bare = WebstackError.received({});
  assert.deepEqual([bare.code, bare.message], ['SUPERVISOR_ERROR', 'the supervisor refused']);
});

test('the compiler counts the values each code needs', () => {
  // Never called: tsc checks these lines (npm run typecheck), and each must be an error.
  const wrong = () => [
    // @ts-expect-error BACKUP_MISSING needs the file
    new WebstackError('BACKUP_MISSING'),
    // @ts-expect-error APP_NOT_RUNNING takes no value
    new WebstackError('APP_NOT_RUNNING', 'extra'),
    // @ts-expect-error not a code in the table
    new WebstackError('NO_SUCH_CODE'),
  ];
  assert.equal(typeof wrong, 'function');
});

test('isErrorCode knows the table', () => {
  assert.equal(isErrorCode('BACKUP_CORRUPT'), true);
  assert.equal(isErrorCode('toString'), false);
  assert.equal(isErrorCode(3), false);
});

test('file-system failures the operator can fix become coded errors; others stay as they are', () => {
  const denied = Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'mkdir', path: '/var/lib/w' });
  const coded = systemError(denied);
  assert.ok(coded instanceof WebstackError);
  assert.equal(coded.code, 'PERMISSION_DENIED');
  assert.equal(coded.message, 'mkdir /var/lib/w: permission denied');
  assert.equal(coded.cause, denied);
  const full = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write', path: '/s/x' });
  assert.equal((systemError(full) as WebstackError).code, 'DISK_FULL');
  const bug = new TypeError('x is undefined');
  assert.equal(systemError(bug), bug);
});

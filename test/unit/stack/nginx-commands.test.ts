import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nginx from '../../../src/stack/components/nginx/commands.js';

const conf = '/var/lib/webstack/nginx/nginx.conf';
const prefix = '/var/lib/webstack/nginx';

test('test checks a config quietly under webstack’s prefix', () => {
  assert.deepEqual(nginx.test(conf, prefix), ['nginx', '-t', '-q', '-p', prefix, '-c', conf]);
});

test('run keeps nginx in the foreground; "daemon off;" is one argv element', () => {
  assert.deepEqual(nginx.run(conf, prefix), ['nginx', '-p', prefix, '-c', conf, '-g', 'daemon off;']);
});

test('version asks for the build flags', () => {
  assert.deepEqual(nginx.version(), ['nginx', '-V']);
});

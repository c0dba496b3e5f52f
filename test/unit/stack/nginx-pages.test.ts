import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderLogrotate } from '../../../src/stack/components/logrotate/conf.js';
import { ERROR_PAGES, renderErrorPage } from '../../../src/stack/components/nginx/error-pages.js';
import { parseStubStatus } from '../../../src/stack/components/nginx/health.js';
import { nginxErrorLine } from '../../../src/stack/components/nginx/process.js';

test('the 50x page says we will be right back, self-contained and escaped', () => {
  const page = ERROR_PAGES['50x.html'];
  assert.ok(page);
  const html = renderErrorPage(page, '/?a=1&b=<2>');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>We&#39;ll be right back<\/title>/);
  assert.match(html, /href="\/\?a=1&#38;b=&#60;2&#62;"/);
  assert.doesNotMatch(html, /<script|<link|src=/);
});

test('there is a page for 50x, 413 and 404', () => {
  assert.deepEqual(Object.keys(ERROR_PAGES).sort(), ['404.html', '413.html', '50x.html']);
});

test('logrotate copies and truncates every log in place, and signals nothing', () => {
  const text = renderLogrotate({ logs: ['/s/logs/access.log', '/s/logs/error.log'], keepDays: 7 });
  assert.match(text, /^\/s\/logs\/access\.log \/s\/logs\/error\.log \{$/m);
  assert.match(text, /rotate 7/);
  assert.match(text, /copytruncate/);
  assert.doesNotMatch(text, /postrotate|create|kill/);
});

test('logrotate refuses a path that would inject into its config', () => {
  assert.throws(() => renderLogrotate({ logs: ['/s/a.log\n}\n/etc/shadow {'] }));
  assert.throws(() => renderLogrotate({ logs: [] }));
});

test('nginxErrorLine picks the [emerg] line out of nginx -t output', () => {
  const output = [
    'nginx: [emerg] unknown directive "bogus" in /s/nginx/nginx.conf.staged:3',
    'nginx: configuration file /s/nginx/nginx.conf.staged test failed',
  ].join('\n');
  assert.equal(
    nginxErrorLine(output),
    'nginx: [emerg] unknown directive "bogus" in /s/nginx/nginx.conf.staged:3',
  );
});

test('parseStubStatus reads the counters', () => {
  const text =
    'Active connections: 3 \nserver accepts handled requests\n 10 10 42 \nReading: 0 Writing: 1 Waiting: 2 \n';
  assert.deepEqual(parseStubStatus(text), { active: 3, requests: 42, reading: 0, writing: 1, waiting: 2 });
  assert.equal(parseStubStatus('hello'), null);
});

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

test('logrotate rotates every log and tells the master to reopen them', () => {
  const text = renderLogrotate({
    logs: ['/s/logs/access.log', '/s/logs/error.log'],
    pidFile: '/s/run/nginx.pid',
    keepDays: 7,
  });
  assert.match(text, /^\/s\/logs\/access\.log \/s\/logs\/error\.log \{$/m);
  assert.match(text, /rotate 7/);
  assert.match(text, /sharedscripts/);
  assert.match(
    text,
    /postrotate\n\s+\[ -s \/s\/run\/nginx\.pid \] && kill -USR1 "\$\(cat \/s\/run\/nginx\.pid\)" \|\| true\n\s+endscript/,
  );
});

test('logrotate refuses a path that would inject into its shell script', () => {
  assert.throws(() => renderLogrotate({ logs: ['/s/a.log'], pidFile: '/s/x.pid; rm -rf /' }));
  assert.throws(() => renderLogrotate({ logs: [], pidFile: '/s/x.pid' }));
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

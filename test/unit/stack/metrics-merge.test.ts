import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeExpositions } from '../../../src/stack/metrics/merge.js';

const app = (requests: number) =>
  [
    '# HELP http_requests_total Requests answered.',
    '# TYPE http_requests_total counter',
    `http_requests_total{status="200"} ${requests}`,
    '# HELP latency_seconds Latency.',
    '# TYPE latency_seconds histogram',
    'latency_seconds_bucket{le="0.1"} 3',
    'latency_seconds_bucket{le="+Inf"} 4',
    'latency_seconds_sum 0.5',
    'latency_seconds_count 4',
    'up 1',
    '',
  ].join('\n');

test('every sample carries its host; each family has one HELP and one TYPE, its samples together', () => {
  const merged = mergeExpositions([
    { host: 'app1', text: app(7) },
    { host: 'app2', text: app(9) },
  ]);
  assert.equal(
    merged,
    [
      '# HELP http_requests_total Requests answered.',
      '# TYPE http_requests_total counter',
      'http_requests_total{host="app1",status="200"} 7',
      'http_requests_total{host="app2",status="200"} 9',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{host="app1",le="0.1"} 3',
      'latency_seconds_bucket{host="app1",le="+Inf"} 4',
      'latency_seconds_sum{host="app1"} 0.5',
      'latency_seconds_count{host="app1"} 4',
      'latency_seconds_bucket{host="app2",le="0.1"} 3',
      'latency_seconds_bucket{host="app2",le="+Inf"} 4',
      'latency_seconds_sum{host="app2"} 0.5',
      'latency_seconds_count{host="app2"} 4',
      'up{host="app1"} 1',
      'up{host="app2"} 1',
      '',
    ].join('\n'),
  );
});

test('a host name is escaped as a label value; nothing in, nothing out', () => {
  assert.equal(mergeExpositions([{ host: 'a"b', text: 'up{} 1\n' }]), 'up{host="a\\"b"} 1\n');
  assert.equal(mergeExpositions([]), '');
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseWrk } from './wrk.ts';

const SAMPLE = `Running 2s test @ http://127.0.0.1:8000/pybackend
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  512.00us   9.87ms   80.00%
    Req/Sec     7.60k   300.00     8.00k    70.00%
  Latency Distribution
     50%    1.98ms
     75%    2.30ms
     90%  800.00us
     99%    1.20s
  15123 requests in 2.00s, 2.50MB read
  Non-2xx or 3xx responses: 15123
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   7561.50
Transfer/sec:      1.25MB
`;

it('parses wrk --latency output, converting units to milliseconds', () => {
  assert.deepEqual(parseWrk(SAMPLE), {
    requestsPerSec: 7561.5,
    p50: 1.98,
    p90: 0.8,
    p99: 1200,
    errors: 15126,
    requests: 15123,
  });
});

it('refuses output it does not understand', () => {
  assert.throws(() => parseWrk('wrk: connection refused'), /unexpected wrk output/);
});

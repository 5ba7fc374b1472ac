import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionsError, parseOptions } from './options.ts';

function parsed(...argv: string[]) {
  const options = parseOptions(argv);
  assert.notEqual(options, 'help');
  return options as Exclude<typeof options, 'help'>;
}

describe('parseOptions', () => {
  it('defaults to 200 gRPC calls to localhost:50051, 10 in flight, one connection', () => {
    const options = parsed();
    assert.deepEqual(options.target, {
      kind: 'grpc',
      target: 'localhost:50051',
      request: { x: '10', y: '10' },
      metadata: {},
    });
    assert.equal(options.count, 200);
    assert.equal(options.concurrency, 10);
    assert.equal(options.connections, 1);
    assert.equal(options.rps, 0);
    assert.equal(options.json, false);
  });

  it('reads an HTTP target with method, headers and body (the seed-000 admission loop)', () => {
    const options = parsed(
      '--http',
      'http://localhost:8000/rbackend/admission',
      '-H',
      'Authorization: Bearer foobar',
      '--body',
      '{"gre":600}',
      '--rps',
      '1',
      '--duration',
      '10s',
    );
    assert.equal(options.target.kind, 'http');
    if (options.target.kind !== 'http') return;
    assert.equal(options.target.method, 'POST');
    assert.deepEqual(options.target.headers, { authorization: 'Bearer foobar' });
    assert.equal(options.rps, 1);
    assert.equal(options.durationMs, 10_000);
    assert.equal(options.count, undefined);
  });

  it('takes a warm-up as a count or a duration, and thresholds', () => {
    assert.equal(parsed('--warmup', '50').warmupCount, 50);
    assert.equal(parsed('--warmup', '2s').warmupMs, 2000);
    const { thresholds } = parsed('--threshold', 'p99<20ms', '--threshold', 'errors<1%');
    assert.deepEqual(
      thresholds.map((t) => [t.metric, t.op, t.value]),
      [
        ['p99', '<', 20],
        ['errors', '<', 0.01],
      ],
    );
  });

  it('refuses bad options with a message naming the option', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--concurrency', '0'], /--concurrency must be an integer ≥ 1/],
      [['-c', 'many'], /--concurrency/],
      [['--duration', '10'], /--duration must be a duration/],
      [['--count', '5', '--duration', '1s'], /not both/],
      [['--target', 'localhost'], /--target must be host:port/],
      [['--data', '{"x": 1.5, "y": 1}'], /x must be an integer/],
      [['--data', 'nope'], /--data must be JSON/],
      [['--http', 'ftp://x/'], /http\(s\) URL/],
      [['--http', 'http://x/', '--data', '{}'], /--target and --data are for gRPC/],
      [['--body', 'x'], /--body and --method are for --http/],
      [['-H', 'no colon'], /Name: value/],
      [['--threshold', 'p98<1ms'], /expected <metric><op><value>/],
      [['--threshold', 'p99<fast'], /not a duration/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseOptions(argv),
        (error: Error) => error instanceof OptionsError && message.test(error.message),
        argv.join(' '),
      );
    }
  });

  it('takes --timeout 0 (or 0s) as no deadline', () => {
    assert.equal(parsed('--timeout', '0').timeoutMs, 0);
    assert.equal(parsed('--timeout', '0s').timeoutMs, 0);
    assert.equal(parsed('--timeout', '1.5s').timeoutMs, 1500);
  });

  it('reads every duration option as Go does (ghz takes the same texts)', () => {
    assert.equal(parsed('--duration', '1m30s').durationMs, 90_000);
    assert.equal(parsed('-z', '1h2m3.5s').durationMs, 3_723_500);
    assert.equal(parsed('-z', '.5s').durationMs, 500);
    assert.equal(parsed('-z', '1.s').durationMs, 1000);
    assert.equal(parsed('--warmup', '1m30s').warmupMs, 90_000);
    assert.equal(parsed('--timeout', '250us').timeoutMs, 0.25);
    assert.equal(parsed('--timeout', '2s500ms').timeoutMs, 2500);
    const [threshold] = parsed('--threshold', 'p99<1.5ms').thresholds;
    assert.equal(threshold?.value, 1.5);
  });

  it('says why a duration is refused', () => {
    const cases: Array<[string[], string]> = [
      [
        ['-z', '1d'],
        '--duration must be a duration such as 500ms, 10s or 1m30s: unknown unit "d" in duration "1d"',
      ],
      [
        ['-z', '90'],
        '--duration must be a duration such as 500ms, 10s or 1m30s: missing unit in duration "90"',
      ],
      [['--duration=-5s'], '--duration must be longer than zero, got "-5s"'],
      [['-z', '0'], '--duration must be longer than zero, got "0"'],
      [
        ['--warmup', '1m30'],
        '--warmup must be a duration such as 500ms, 10s or 1m30s: missing unit in duration "1m30"',
      ],
      [['--timeout=-1s'], '--timeout must be longer than zero, got "-1s"'],
      [['--threshold', 'p99<-1ms'], '--threshold p99<-1ms: a latency cannot be negative'],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseOptions(argv), { name: 'Error', message }, argv.join(' '));
      assert.throws(() => parseOptions(argv), OptionsError);
    }
    assert.throws(() => parseOptions(['-z', '3000000h']), /out of range/);
  });

  it('answers help', () => {
    assert.equal(parseOptions(['--help']), 'help');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoDurationError, type GoDurationErrorCode, parseGoDuration, toMilliseconds } from './index.ts';

const ns = 1n;
const us = 1_000n * ns;
const ms = 1_000n * us;
const s = 1_000n * ms;
const m = 60n * s;
const h = 60n * m;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

// Go's own table (src/time/time_test.go, parseDurationTests): what time.ParseDuration returns for each text.
const accepted: ReadonlyArray<readonly [string, bigint]> = [
  // simple
  ['0', 0n],
  ['5s', 5n * s],
  ['30s', 30n * s],
  ['1478s', 1478n * s],
  // sign
  ['-5s', -5n * s],
  ['+5s', 5n * s],
  ['-0', 0n],
  ['+0', 0n],
  // decimal
  ['5.0s', 5n * s],
  ['5.6s', 5n * s + 600n * ms],
  ['5.s', 5n * s],
  ['.5s', 500n * ms],
  ['1.0s', 1n * s],
  ['1.00s', 1n * s],
  ['1.004s', 1n * s + 4n * ms],
  ['1.0040s', 1n * s + 4n * ms],
  ['100.00100s', 100n * s + 1n * ms],
  // units
  ['10ns', 10n * ns],
  ['11us', 11n * us],
  ['12\u00b5s', 12n * us],
  ['12\u03bcs', 12n * us],
  ['13ms', 13n * ms],
  ['14s', 14n * s],
  ['15m', 15n * m],
  ['16h', 16n * h],
  // composite
  ['3h30m', 3n * h + 30n * m],
  ['10.5s4m', 4n * m + 10n * s + 500n * ms],
  ['-2m3.4s', -(2n * m + 3n * s + 400n * ms)],
  ['1h2m3s4ms5us6ns', h + 2n * m + 3n * s + 4n * ms + 5n * us + 6n * ns],
  ['39h9m14.425s', 39n * h + 9n * m + 14n * s + 425n * ms],
  // large values
  ['52763797000ns', 52763797000n * ns],
  // more than nine fractional digits (Go issue 6617)
  ['0.3333333333333333333h', 20n * m],
  // 2^53 + 1 does not fit a double
  ['9007199254740993ns', (1n << 53n) + 1n],
  // the int64 limits
  ['9223372036854775807ns', INT64_MAX],
  ['9223372036854775.807us', INT64_MAX],
  ['9223372036s854ms775us807ns', INT64_MAX],
  ['-9223372036854775808ns', INT64_MIN],
  ['-9223372036854775.808us', INT64_MIN],
  ['-9223372036s854ms775us808ns', INT64_MIN],
  // the most negative value round-trips through Go's Duration.String (Go issue 48629)
  ['-2562047h47m16.854775808s', INT64_MIN],
  ['2562047h47m16.854775807s', INT64_MAX],
  // a fraction far longer than int64 (Go issue 15011), and the first overflow check of its digits
  ['0.100000000000000000000h', 6n * m],
  ['0.830103483285477580700h', 49n * m + 48n * s + 372539827n * ns],
];

// Go's parseDurationErrorTests, with the reason each is refused.
const refused: ReadonlyArray<readonly [string, GoDurationErrorCode]> = [
  ['', 'ERR_GO_DURATION_SYNTAX'],
  ['3', 'ERR_GO_DURATION_MISSING_UNIT'],
  ['-', 'ERR_GO_DURATION_SYNTAX'],
  ['s', 'ERR_GO_DURATION_SYNTAX'],
  ['.', 'ERR_GO_DURATION_SYNTAX'],
  ['-.', 'ERR_GO_DURATION_SYNTAX'],
  ['.s', 'ERR_GO_DURATION_SYNTAX'],
  ['+.s', 'ERR_GO_DURATION_SYNTAX'],
  ['1d', 'ERR_GO_DURATION_UNKNOWN_UNIT'],
  // Go's cases with invalid UTF-8 bytes cannot be JavaScript strings; U+FFFD is what such bytes decode to.
  ['\ufffd', 'ERR_GO_DURATION_SYNTAX'],
  ['\ufffd hello \ufffd world', 'ERR_GO_DURATION_SYNTAX'],
  ['hello \u00ff world', 'ERR_GO_DURATION_SYNTAX'],
  // overflow
  ['9223372036854775810ns', 'ERR_GO_DURATION_RANGE'],
  ['9223372036854775808ns', 'ERR_GO_DURATION_RANGE'],
  ['-9223372036854775809ns', 'ERR_GO_DURATION_RANGE'],
  ['9223372036854776us', 'ERR_GO_DURATION_RANGE'],
  ['3000000h', 'ERR_GO_DURATION_RANGE'],
  ['9223372036854775.808us', 'ERR_GO_DURATION_RANGE'],
  ['9223372036854ms775us808ns', 'ERR_GO_DURATION_RANGE'],
];

function refusal(text: string): GoDurationError {
  try {
    parseGoDuration(text);
  } catch (error) {
    assert.ok(error instanceof GoDurationError, `${JSON.stringify(text)} threw ${String(error)}`);
    return error;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it('gives what Go gives for each text of Go’s table', () => {
    for (const [text, want] of accepted) {
      assert.equal(parseGoDuration(text), want, JSON.stringify(text));
    }
  });

  it('refuses what Go refuses, each with a stable code and the input quoted in the message', () => {
    for (const [text, code] of refused) {
      const error = refusal(text);
      assert.equal(error.code, code, JSON.stringify(text));
      assert.equal(error.input, text);
      assert.ok(error.message.includes(JSON.stringify(text)), error.message);
    }
  });

  it('names the unit it does not know', () => {
    const error = refusal('1m30sec');
    assert.equal(error.unit, 'sec');
    assert.equal(error.message, 'unknown unit "sec" in duration "1m30sec"');
    assert.equal(refusal('1h2').message, 'missing unit in duration "1h2"');
    assert.equal(refusal('1.5').code, 'ERR_GO_DURATION_MISSING_UNIT');
  });

  it('takes the forms the command line and config files use', () => {
    assert.equal(parseGoDuration('1m30s'), 90n * s);
    assert.equal(parseGoDuration('2h45m'), 2n * h + 45n * m);
    assert.equal(parseGoDuration('-1.5h'), -(h + 30n * m));
    assert.equal(parseGoDuration('300ms'), 300n * ms);
    assert.equal(parseGoDuration('1.s'), s);
  });

  it('allows no whitespace, double signs or unitless numbers other than a lone 0, as Go', () => {
    for (const text of [' 1s', '1s ', '1 s', '--1s', '+-1s', '00', '1s1', '0.0', 'Inf', '1e3s', '1S']) {
      assert.throws(() => parseGoDuration(text), GoDurationError, JSON.stringify(text));
    }
  });
});

describe('toMilliseconds', () => {
  it('converts nanoseconds, keeping whole milliseconds exact', () => {
    assert.equal(toMilliseconds(90n * s), 90_000);
    assert.equal(toMilliseconds(1n), 1e-6);
    assert.equal(toMilliseconds(-1500n * us), -1.5);
    assert.equal(toMilliseconds(INT64_MAX), 9_223_372_036_854.775);
  });
});

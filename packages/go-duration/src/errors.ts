/**
 * Why a text is not a Go duration:
 * - `ERR_GO_DURATION_SYNTAX`: empty, a bare sign or `.`, or a character where a number should start;
 * - `ERR_GO_DURATION_MISSING_UNIT`: a number without a unit (`"3"`, `"1h2"`);
 * - `ERR_GO_DURATION_UNKNOWN_UNIT`: a unit other than ns, us, µs, μs, ms, s, m, h (`"1d"`);
 * - `ERR_GO_DURATION_RANGE`: beyond what int64 nanoseconds hold (about ±292 years).
 */
export type GoDurationErrorCode =
  | 'ERR_GO_DURATION_SYNTAX'
  | 'ERR_GO_DURATION_MISSING_UNIT'
  | 'ERR_GO_DURATION_UNKNOWN_UNIT'
  | 'ERR_GO_DURATION_RANGE';

const MESSAGES: Readonly<Record<GoDurationErrorCode, (input: string, unit: string) => string>> = {
  ERR_GO_DURATION_SYNTAX: (input) => `invalid duration ${quote(input)}`,
  ERR_GO_DURATION_MISSING_UNIT: (input) => `missing unit in duration ${quote(input)}`,
  ERR_GO_DURATION_UNKNOWN_UNIT: (input, unit) => `unknown unit ${quote(unit)} in duration ${quote(input)}`,
  ERR_GO_DURATION_RANGE: (input) =>
    `duration ${quote(input)} is out of range (int64 nanoseconds: at most 2562047h47m16.854775807s)`,
};

// JSON quoting shows control characters and lone surrogates escaped, as Go's %q does for bad bytes.
function quote(text: string): string {
  return JSON.stringify(text);
}

/** Thrown by `parseGoDuration`; `code` is stable, the message quotes the input. */
export class GoDurationError extends Error {
  override readonly name = 'GoDurationError';
  /** Machine-readable reason; see {@link GoDurationErrorCode}. */
  readonly code: GoDurationErrorCode;
  /** The text that failed to parse, as given. */
  readonly input: string;
  /** The unit that was not recognised, for `ERR_GO_DURATION_UNKNOWN_UNIT`. */
  readonly unit: string | undefined;

  constructor(code: GoDurationErrorCode, input: string, unit?: string) {
    super(MESSAGES[code](input, unit ?? ''));
    this.code = code;
    this.input = input;
    this.unit = unit;
  }
}

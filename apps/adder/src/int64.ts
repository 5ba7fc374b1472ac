/** Signed 64-bit integers as the proto's `int64`: parsed strictly, added without wrapping. */

/** The int64 range. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Thrown for a value that is not an int64, or a sum that leaves the range. */
export class Int64Error extends Error {
  /** `INT64_SYNTAX`, `INT64_RANGE` or `INT64_OVERFLOW`. */
  readonly code: 'INT64_SYNTAX' | 'INT64_RANGE' | 'INT64_OVERFLOW';

  constructor(code: Int64Error['code'], message: string) {
    super(message);
    this.name = 'Int64Error';
    this.code = code;
  }
}

const INTEGER = /^[+-]?\d+$/;

/** `"-42"` → `-42n`. Anything but an optionally signed run of decimal digits in range throws {@link Int64Error}. */
export function parseInt64(text: string, name = 'value'): bigint {
  if (!INTEGER.test(text))
    throw new Int64Error('INT64_SYNTAX', `${name} must be an integer, got ${JSON.stringify(text)}`);
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new Int64Error('INT64_RANGE', `${name} is outside the int64 range [${INT64_MIN}, ${INT64_MAX}]`);
  }
  return value;
}

/** `x + y`, or {@link Int64Error} `INT64_OVERFLOW` when the sum does not fit in an int64. */
export function addInt64(x: bigint, y: bigint): bigint {
  const sum = x + y;
  if (sum < INT64_MIN || sum > INT64_MAX) {
    throw new Int64Error('INT64_OVERFLOW', `${x} + ${y} overflows int64`);
  }
  return sum;
}

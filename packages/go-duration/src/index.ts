export { GoDurationError, type GoDurationErrorCode } from './errors.ts';
export { parseGoDuration, toMilliseconds } from './parse.ts';

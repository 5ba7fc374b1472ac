/** Traefik's HTTP status ranges (`types.NewHTTPCodeRanges`), as errors and retry take them: `"503"`, `"500-599"`. */

import { ResourceError } from '../errors.ts';

/** Inclusive [low, high] pairs. */
export type StatusRanges = readonly (readonly [number, number])[];

/** Parses the ranges; throws {@link ResourceError} for one Go's `strconv.Atoi` would refuse. */
export function parseStatusRanges(blocks: readonly string[]): StatusRanges {
  return blocks.map((block) => {
    const parts = block.split('-');
    const low = parts[0] ?? '';
    const high = parts.length === 1 ? low : (parts[1] ?? '');
    if (!/^[+-]?[0-9]+$/.test(low) || !/^[+-]?[0-9]+$/.test(high)) {
      throw new ResourceError(`invalid status code range "${block}"`);
    }
    return [Number(low), Number(high)] as const;
  });
}

/** Whether `status` is in one of the ranges. */
export function inRanges(ranges: StatusRanges, status: number): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}

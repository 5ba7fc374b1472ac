import { type Static, Type } from 'typebox';

/** The rank levels, as R's `factor(rank)` has them; level 1 is the baseline. */
export const RANK_LEVELS = ['1', '2', '3', '4'] as const;

/** A rank level. */
export type Rank = (typeof RANK_LEVELS)[number];

/**
 * The body of `POST /admission`, with pydantic's semantics for the original `AdmissionReq`: every field optional
 * (absent or `null`), unknown fields ignored, `rank` given as a string level or a number. A missing body or JSON
 * `null` means "no fields". `gre` is an integer, as the original declared it: 600.5 is refused, not rounded.
 *
 * pybackend-ts validates with it before relaying and model-service before predicting, so a body one accepts the
 * other accepts too, and both answer a bad one with the same 422 detail.
 */
export const AdmissionBody = Type.Union(
  [
    Type.Object({
      gre: Type.Optional(
        Type.Union([Type.Integer({ minimum: 0, maximum: 800 }), Type.Null()], {
          description: 'GRE score; missing: the mean of the data.',
        }),
      ),
      gpa: Type.Optional(
        Type.Union([Type.Number({ minimum: 0, maximum: 4 }), Type.Null()], {
          description: 'Grade point average; missing: the mean of the data.',
        }),
      ),
      rank: Type.Optional(
        Type.Union([Type.Enum([...RANK_LEVELS, 1, 2, 3, 4]), Type.Null()], {
          description:
            "Prestige of the undergraduate institution, 1 (highest) to 4; missing: the data's most common.",
        }),
      ),
    }),
    Type.Null(),
  ],
  { description: 'An applicant; every field is optional, and an empty body is an applicant with no fields.' },
);

/** A body that {@link AdmissionBody} accepts. */
export type AdmissionBody = Static<typeof AdmissionBody>;

/** A validated request in one canonical form: only the fields given, `rank` as the string level R expects. */
export interface AdmissionRequest {
  gre?: number;
  gpa?: number;
  rank?: Rank;
}

/** Keeps the fields a validated body gives and drops the rest (nulls, unknown fields); `undefined` is no body. */
export function toAdmissionRequest(body: AdmissionBody | undefined): AdmissionRequest {
  const request: AdmissionRequest = {};
  if (body === null || body === undefined) return request;
  if (typeof body.gre === 'number') request.gre = body.gre;
  if (typeof body.gpa === 'number') request.gpa = body.gpa;
  if (body.rank !== null && body.rank !== undefined) request.rank = String(body.rank) as Rank;
  return request;
}

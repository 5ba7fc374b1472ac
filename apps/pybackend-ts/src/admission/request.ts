import { type Static, Type } from 'typebox';

/**
 * The body of `POST /admission`, with pydantic's semantics for the original `AdmissionReq`: every field optional
 * (absent or `null`), unknown fields ignored, `rank` given as a string or a number. A missing body or JSON `null`
 * means "no fields" too.
 */
export const AdmissionBody = Type.Union([
  Type.Object({
    gre: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 800 }), Type.Null()])),
    gpa: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 4 }), Type.Null()])),
    rank: Type.Optional(Type.Union([Type.Enum(['1', '2', '3', '4', 1, 2, 3, 4]), Type.Null()])),
  }),
  Type.Null(),
]);

/** A validated admission body. */
export type AdmissionBody = Static<typeof AdmissionBody>;

/** What is sent to the model service: only the fields the caller gave, `rank` as the string level R expects. */
export interface ModelAdmissionRequest {
  gre?: number;
  gpa?: number;
  rank?: string;
}

/** Keeps the validated fields that were given and drops everything else (nulls, unknown fields). */
export function toModelRequest(body: AdmissionBody | undefined): ModelAdmissionRequest {
  const request: ModelAdmissionRequest = {};
  if (body === null || body === undefined) return request;
  if (typeof body.gre === 'number') request.gre = body.gre;
  if (typeof body.gpa === 'number') request.gpa = body.gpa;
  if (body.rank !== null && body.rank !== undefined) request.rank = String(body.rank);
  return request;
}

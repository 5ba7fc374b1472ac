import { type Static, Type } from 'typebox';
import type { Applicant, Rank } from './model.ts';

/**
 * The body of `POST /admission`, with the original service's leniency: every field optional (absent or `null`),
 * unknown fields ignored, `rank` as a string level or a number. A missing body or JSON `null` means "no fields".
 */
export const AdmissionBody = Type.Union([
  Type.Object({
    gre: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 800 }), Type.Null()])),
    gpa: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 4 }), Type.Null()])),
    rank: Type.Optional(Type.Union([Type.Enum(['1', '2', '3', '4', 1, 2, 3, 4]), Type.Null()])),
  }),
  Type.Null(),
]);

/** A validated admission body. */
export type AdmissionBody = Static<typeof AdmissionBody>;

/** The applicant a validated body describes; nulls and absent fields are left for imputation. */
export function toApplicant(body: AdmissionBody | undefined): Applicant {
  const applicant: Applicant = {};
  if (body === null || body === undefined) return applicant;
  if (typeof body.gre === 'number') applicant.gre = body.gre;
  if (typeof body.gpa === 'number') applicant.gpa = body.gpa;
  if (body.rank !== null && body.rank !== undefined) applicant.rank = String(body.rank) as Rank;
  return applicant;
}

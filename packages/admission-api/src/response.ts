import { type Static, Type } from 'typebox';

/**
 * The answer of `POST /admission`: model-service computes it, pybackend-ts relays it as it came. Both document it
 * with this schema, so their OpenAPI documents describe the same answer.
 */
export const AdmissionAnswer = Type.Object(
  {
    result: Type.Boolean({ description: 'Admitted: `probability > 0.5`.' }),
    probability: Type.Number({ minimum: 0, maximum: 1, description: 'The fitted probability of admission.' }),
  },
  { description: "The logistic regression's prediction for the applicant." },
);

/** An answer of `POST /admission`. */
export type AdmissionAnswer = Static<typeof AdmissionAnswer>;

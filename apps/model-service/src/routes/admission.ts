import { AdmissionAnswer, AdmissionBody, toAdmissionRequest } from '@gateway-pattern/admission-api';
import type { Service } from '@gateway-pattern/service-kit';
import { AdmissionCard, type AdmissionModel } from '../admission/model.ts';

/** Options of {@link admissionRoutes}. */
export interface AdmissionRoutesOptions {
  model: AdmissionModel;
}

/**
 * `POST /admission` → `{"result", "probability"}` for one applicant; `GET /admission/model` → the fitted
 * model as R's `summary(glm)` shows it, plus the values used for missing fields.
 */
export async function admissionRoutes(app: Service, options: AdmissionRoutesOptions): Promise<void> {
  const { model } = options;

  app.post(
    '/admission',
    {
      schema: {
        summary: 'The probability that an applicant is admitted; missing fields are imputed',
        body: AdmissionBody,
        response: { 200: AdmissionAnswer },
      },
    },
    async (request) => model.predict(toAdmissionRequest(request.body)),
  );

  // The model is fixed once fitted, so its card is computed once.
  const card = model.card();
  app.get(
    '/admission/model',
    {
      schema: {
        summary:
          "The fitted model, as R's summary(glm) shows it, and the values that stand in for missing fields",
        response: { 200: AdmissionCard },
      },
    },
    async () => card,
  );
}

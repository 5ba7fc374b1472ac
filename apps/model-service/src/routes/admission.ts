import { AdmissionBody, toAdmissionRequest } from '@gateway-pattern/admission-api';
import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';
import { AdmissionCard, type AdmissionModel } from '../admission/model.ts';

/** Options of {@link admissionRoutes}. */
export interface AdmissionRoutesOptions {
  model: AdmissionModel;
}

const Prediction = Type.Object({ result: Type.Boolean(), probability: Type.Number() });

/**
 * `POST /admission` → `{"result", "probability"}` for one applicant; `GET /admission/model` → the fitted
 * model as R's `summary(glm)` shows it, plus the values used for missing fields.
 */
export async function admissionRoutes(app: Service, options: AdmissionRoutesOptions): Promise<void> {
  const { model } = options;

  app.post(
    '/admission',
    { schema: { body: AdmissionBody, response: { 200: Prediction } } },
    async (request) => model.predict(toAdmissionRequest(request.body)),
  );

  // The model is fixed once fitted, so its card is computed once.
  const card = model.card();
  app.get('/admission/model', { schema: { response: { 200: AdmissionCard } } }, async () => card);
}

import { AdmissionAnswer, AdmissionBody, toAdmissionRequest } from '@gateway-pattern/admission-api';
import { ASSERTION_HEADER } from '@gateway-pattern/identity-assertion';
import { errorResponse, type Service } from '@gateway-pattern/service-kit';
import { isUpstreamError } from '../upstream/errors.ts';
import type { ModelServiceClient } from '../upstream/model-service.ts';

/** Options of {@link admissionRoutes}. */
export interface AdmissionRoutesOptions {
  modelService: Pick<ModelServiceClient, 'admission'>;
}

/**
 * What `POST /admission` answers, for the document. Typed as a plain record so the type provider
 * does not narrow the reply: the status and body are model-service's (a 422 it gives is relayed as well).
 */
const relayedResponses: Record<number, object> = {
  200: AdmissionAnswer,
  502: errorResponse('model-service failed, refused, or answered something else'),
  504: errorResponse('model-service did not answer in time'),
};

/**
 * `POST /admission`: validates the body, relays the validated fields to the model service, and answers with the
 * model's JSON and status, passing the identity assertion on. Upstream failures become 502/504 (see
 * `upstream/errors.ts`).
 */
export async function admissionRoutes(app: Service, options: AdmissionRoutesOptions): Promise<void> {
  app.addHook('onError', async (request, _reply, error) => {
    if (isUpstreamError(error))
      request.log.warn({ err: error, code: error.code }, 'model service call failed');
  });

  app.post(
    '/admission',
    {
      schema: {
        summary: 'Ask the admission model, through model-service',
        body: AdmissionBody,
        response: relayedResponses,
      },
      // The answer is relayed as model-service wrote it (the schemas above document it, they do not reshape it).
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      // The caller's identity assertion goes on to the model service as it came: its audience names both.
      const assertion = request.headers[ASSERTION_HEADER];
      const answer = await options.modelService.admission(toAdmissionRequest(request.body), {
        assertion: typeof assertion === 'string' ? assertion : undefined,
      });
      return reply.code(answer.status).send(answer.body);
    },
  );
}

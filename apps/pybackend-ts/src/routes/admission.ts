import type { Service } from '@gateway-pattern/service-kit';
import { AdmissionBody, toModelRequest } from '../admission/request.ts';
import { isUpstreamError } from '../upstream/errors.ts';
import type { ModelServiceClient } from '../upstream/model-service.ts';

/** Options of {@link admissionRoutes}. */
export interface AdmissionRoutesOptions {
  modelService: Pick<ModelServiceClient, 'admission'>;
}

/**
 * `POST /admission`: validates the body, relays the validated fields to the model service, and answers with the
 * model's JSON and status. Upstream failures become 502/504 (see `upstream/errors.ts`).
 */
export async function admissionRoutes(app: Service, options: AdmissionRoutesOptions): Promise<void> {
  // All fields are optional, so an empty body is a valid request even when it claims to be JSON
  // (Fastify's default parser rejects that with 400).
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return defaultJsonParser(request, text, done);
  });

  app.addHook('onError', async (request, _reply, error) => {
    if (isUpstreamError(error))
      request.log.warn({ err: error, code: error.code }, 'model service call failed');
  });

  app.post('/admission', { schema: { body: AdmissionBody } }, async (request, reply) => {
    const answer = await options.modelService.admission(toModelRequest(request.body));
    return reply.code(answer.status).send(answer.body);
  });
}

import type { Service } from './service.ts';

/**
 * Lets a JSON route whose fields are all optional accept an empty body, as FastAPI does: an empty
 * `application/json` body becomes `undefined` instead of Fastify's 400. Any other body is parsed as usual.
 * Register it inside the plugin of those routes, so other routes keep the strict parser.
 */
export function allowEmptyJsonBody(app: Service): void {
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return defaultJsonParser(request, text, done);
  });
}

import type { Service } from './service.ts';

/**
 * Reads an empty `application/json` body as no body (`undefined`) instead of Fastify's 400, as FastAPI does:
 * a route whose fields are all optional accepts it, a route that needs a body answers 422 from its schema,
 * and a client that labels every request JSON (HTTPie reading an empty stdin) is not refused for it.
 * Any other body is parsed as usual.
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

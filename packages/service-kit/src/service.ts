import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { clientErrorHandler, errorHandler, notFoundHandler } from './error-handler.ts';
import { allowEmptyJsonBody } from './json-body.ts';

/** A Fastify instance with the TypeBox type provider, as every service in the stack uses. */
export type Service = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Options for {@link createService}. */
export interface ServiceOptions {
  /** Service name, stamped on every log line. */
  name: string;
  /** `false` silences logs (tests); otherwise pino at this level. Default `info`. */
  logLevel?: string | false;
  /** Largest request body accepted, in bytes (larger → 413). Default 1 MiB. */
  bodyLimit?: number;
}

/**
 * Builds a Fastify service with the stack's conventions, without listening:
 * TypeBox-typed routes, one JSON error shape (`{"detail": ...}`, 422 for schema violations),
 * a JSON 404, an empty JSON body read as no body, and one log line per request.
 */
export function createService(options: ServiceOptions): Service {
  const logger: FastifyServerOptions['logger'] =
    options.logLevel === false
      ? false
      : { level: options.logLevel ?? 'info', base: { service: options.name } };
  const app = Fastify({
    logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // One line per request comes from the onResponse hook below, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Keep-alive sockets would otherwise hold `close()` open until they time out.
    forceCloseConnections: 'idle',
    // Router errors (a malformed URL, a parameter over maxParamLength) get the same `{"detail"}` shape.
    frameworkErrors: errorHandler,
    clientErrorHandler,
    ajv: { customOptions: { coerceTypes: false, allErrors: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  allowEmptyJsonBody(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  return app;
}

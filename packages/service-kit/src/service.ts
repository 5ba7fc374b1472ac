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
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
}

/**
 * Builds a Fastify service with the stack's conventions, without listening:
 * TypeBox-typed routes, one JSON error shape (`{"detail": ...}`, 422 for schema violations),
 * a JSON 404, an empty JSON body read as no body, and one debug log line per request (its path, never its query).
 */
export function createService(options: ServiceOptions): Service {
  const logger: FastifyServerOptions['logger'] =
    options.logLevel === false
      ? false
      : {
          level: options.logLevel ?? 'info',
          base: { service: options.name },
          ...(options.logStream ? { stream: options.logStream } : {}),
        };
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
  // Per-request lines are `debug`: the gateway's access log is the one line per request (DESIGN, Trust and
  // logging). The query is left out, since it can carry credentials (an authorization code, an id_token_hint).
  // The hook exists only when its line can be written: a hook costs every request its turn even when it logs nothing.
  if (options.logLevel === 'debug' || options.logLevel === 'trace') {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        {
          method: request.method,
          path: request.url.split('?', 1)[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      );
      done();
    });
  }
  return app;
}

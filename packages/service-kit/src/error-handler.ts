import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

/** The body of every error response in the stack, as FastAPI shapes it. */
export interface ErrorBody {
  detail: string;
}

function validationDetail(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = [error.validationContext, first.instancePath.replace(/^\//, '')].filter(Boolean).join('/');
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${where}: unknown field '${params.additionalProperty}'`;
  }
  if (first.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `${where}${where ? ': ' : ''}missing field '${params.missingProperty}'`;
  }
  return `${where}${where ? ' ' : ''}${first.message ?? 'is invalid'}`;
}

/**
 * The one error handler: caller mistakes become 4xx with a `detail`, anything unexpected a logged 500
 * whose body reveals nothing internal.
 */
export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof HttpError) {
    return reply
      .code(error.statusCode)
      .headers(error.headers)
      .send({ detail: error.message } satisfies ErrorBody);
  }
  if (error.validation) {
    return reply.code(422).send({ detail: validationDetail(error) } satisfies ErrorBody);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ detail: error.message } satisfies ErrorBody);
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ detail: 'Internal Server Error' } satisfies ErrorBody);
}

/** JSON 404 for any unknown route, as FastAPI answers it. */
export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ detail: 'Not Found' } satisfies ErrorBody);
}

/** Statuses and details for requests Node's HTTP parser refuses before Fastify sees them. */
const CLIENT_ERRORS: Readonly<Record<string, { status: number; detail: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'Request header fields too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'Request timeout' },
};

/**
 * Answers requests Node's HTTP parser refuses (oversized headers, malformed requests, timeouts) with a
 * `{"detail"}` body, then closes the connection, as Node itself would.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, detail } = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, detail: 'Bad request' };
  const body = JSON.stringify({ detail } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

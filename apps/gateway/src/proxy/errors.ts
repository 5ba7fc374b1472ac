/**
 * Maps a failure to reach an upstream to the status Traefik answers with (`ComputeStatusCode`):
 * 499 when the client went away, 504 on a timeout (dial, response header, body), 502 when the upstream is
 * unreachable or broke the connection, 500 otherwise (a server certificate that fails verification included).
 */

const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE',
  'HPE_INVALID_CONSTANT',
]);

/** The status for an upstream failure. */
export function upstreamErrorStatus(error: unknown, clientGone: boolean): number {
  if (clientGone) return 499;
  const code = errorCode(error);
  if (code !== undefined && timeoutCodes.has(code)) return 504;
  if (error instanceof Error && error.name === 'TimeoutError') return 504;
  if (code !== undefined && (unreachableCodes.has(code) || isBrokenConnection(code))) return 502;
  // Anything else is 500, as in Traefik: a server certificate that fails verification (Go's
  // CertificateVerificationError), TLS spoken to a plain HTTP server (RecordHeaderError).
  return 500;
}

/**
 * A malformed HTTP/1.1 answer, an HTTP/2 session or stream failure, or a TLS alert from the server (one that
 * refused our client certificate, say): Go reports these as network errors (`net.OpError` "remote error"),
 * which Traefik answers with 502.
 */
function isBrokenConnection(code: string): boolean {
  return (
    code.startsWith('HPE_') ||
    code.startsWith('ERR_HTTP2_') ||
    (code.startsWith('ERR_SSL_') && code.includes('_ALERT_'))
  );
}

/** Go's `http.StatusText` for the statuses the proxy produces. */
export function statusText(status: number): string {
  switch (status) {
    case 499:
      return 'Client Closed Request';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Internal Server Error';
  }
}

/** The `code` of an error or of its cause (undici wraps socket errors). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && code !== 'UND_ERR_ABORTED') return code;
    current = current.cause;
  }
  return undefined;
}

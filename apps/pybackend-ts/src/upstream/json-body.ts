import type { Readable } from 'node:stream';

/** Thrown by {@link readJsonBody} for a body that is too large or not JSON. */
export class InvalidJsonBodyError extends Error {
  readonly code = 'ERR_INVALID_JSON_BODY';
}

/**
 * Reads a response body as JSON, refusing more than `maxBytes` so a misbehaving upstream cannot exhaust memory.
 * Stream errors (reset, abort) are rethrown as they are, for the caller to classify.
 */
export async function readJsonBody(body: Readable, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new InvalidJsonBodyError(`body larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidJsonBodyError('body is not JSON', { cause: err });
  }
}

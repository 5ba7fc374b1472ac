import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** The identity and forwarding headers `/whoami` reports, in this order. */
export const IDENTITY_HEADERS = [
  'x-auth-user',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-prefix',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
] as const;

const WhoamiResponse = Type.Object({
  /** `X-Auth-User` as set by the gateway from forward-auth's answer, or `null`. */
  user: Type.Union([Type.String(), Type.Null()]),
  /** Only the headers that were present. */
  headers: Type.Object(
    Object.fromEntries(IDENTITY_HEADERS.map((name) => [name, Type.Optional(Type.String())])),
  ),
});

/**
 * `GET /whoami`: the identity headers this backend received, so anyone (and the end-to-end test) can see what
 * the gateway passes on, and that a client-supplied `X-Auth-User` never arrives.
 */
export async function whoamiRoutes(app: Service): Promise<void> {
  app.get('/whoami', { schema: { response: { 200: WhoamiResponse } } }, async (request) => {
    const headers: Record<string, string> = {};
    for (const name of IDENTITY_HEADERS) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { user: headers['x-auth-user'] ?? null, headers };
  });
}

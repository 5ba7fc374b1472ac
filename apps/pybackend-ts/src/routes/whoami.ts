import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** The identity and forwarding headers `/whoami` reports, in this order. */
export const IDENTITY_HEADERS = [
  'x-auth-user',
  'x-auth-email',
  'x-auth-roles',
  'x-auth-client',
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
  /**
   * Headers whose names a CGI/WSGI-style backend would read as one of the identity headers (`X_Auth_User` is
   * `HTTP_X_AUTH_USER`, like `X-Auth-User`); only present when some arrived. The gateway should drop them.
   */
  aliases: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** The claims of forward-auth's signed identity, once verified; only when this backend checks assertions. */
  assertion: Type.Optional(
    Type.Object({
      iss: Type.String(),
      aud: Type.Union([Type.String(), Type.Array(Type.String())]),
      sub: Type.String(),
      email: Type.Optional(Type.String()),
      roles: Type.Array(Type.String()),
      client: Type.Optional(Type.String()),
      iat: Type.Number(),
      exp: Type.Number(),
      jti: Type.String(),
    }),
  ),
});

/** The variable name CGI, WSGI or PHP derive from a header name: every non-alphanumeric character is `_`. */
const cgiName = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '_');
const IDENTITY_CGI_NAMES = new Set(IDENTITY_HEADERS.map(cgiName));

/**
 * `GET /whoami`: the identity headers this backend received, so anyone (and the end-to-end test) can see what
 * the gateway passes on, and that a client-supplied `X-Auth-User` (or a look-alike such as `X_Auth_User`) never
 * arrives; and, when this backend checks identity assertions, the verified claims of the one it received.
 */
export async function whoamiRoutes(app: Service): Promise<void> {
  app.get(
    '/whoami',
    {
      schema: {
        summary: 'The identity headers this backend received, and the verified identity assertion',
        response: { 200: WhoamiResponse },
      },
    },
    async (request) => {
      const headers: Record<string, string> = {};
      for (const name of IDENTITY_HEADERS) {
        const value = request.headers[name];
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const aliases: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if ((IDENTITY_HEADERS as readonly string[]).includes(name) || !IDENTITY_CGI_NAMES.has(cgiName(name)))
          continue;
        if (value !== undefined) aliases[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const assertion = request.identityAssertion;
      // With assertions checked, the headers were found to agree with the verified claims before this ran.
      const user = assertion?.sub ?? headers['x-auth-user'] ?? null;
      return {
        user,
        headers,
        ...(Object.keys(aliases).length > 0 ? { aliases } : {}),
        ...(assertion ? { assertion } : {}),
      };
    },
  );
}

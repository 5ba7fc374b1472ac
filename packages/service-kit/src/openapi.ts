/**
 * Every HTTP service describes itself: `GET /openapi.json` is an OpenAPI 3.1 document made from the TypeBox schemas
 * its routes already validate with, and `GET /docs/` is Swagger UI over it, served from the npm package (no CDN).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyContextConfig, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { Type } from 'typebox';
import type { Service } from './service.ts';

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json';
/** Where the interactive page is served (`/docs` redirects to `/docs/`). */
export const DOCS_PATH = '/docs';

/** The body of every error answer, as the document shows it (see `errorHandler`). */
export const ErrorBodySchema = Type.Object(
  { detail: Type.String({ description: 'What went wrong, for a person to read.' }) },
  { additionalProperties: false },
);

/** A documented error answer of a route's `schema.response`: `{"detail"}`, with what the status means there. */
export function errorResponse(description: string): typeof ErrorBodySchema & { description: string } {
  return { ...ErrorBodySchema, description };
}

/** Options of {@link registerOpenApi}. */
export interface OpenApiOptions {
  title: string;
  version: string;
  /** Markdown, shown at the top of `/docs`. */
  description?: string;
  /**
   * Route config of the documentation routes, e.g. `{ identityAssertion: 'optional' }` where every route requires
   * a signed identity: the description of an API says nothing about anyone.
   */
  routeConfig?: FastifyContextConfig;
}

// The path item fields OpenAPI 3.1 allows; Fastify's `all` also registers WebDAV methods (PROPFIND, ...), which
// only OpenAPI 3.2 can list (additionalOperations).
const PATH_ITEM_FIELDS = new Set([
  '$ref',
  'summary',
  'description',
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
  'servers',
  'parameters',
]);

/** A route as registered, with the schema the document was made from. */
export interface DocumentedRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema: FastifySchema | undefined;
}

const documented = new WeakMap<Service, DocumentedRoute[]>();

/** The routes registered after {@link registerOpenApi}, as the document saw them (for tests that check it). */
export function documentedRoutes(app: Service): readonly DocumentedRoute[] {
  return documented.get(app) ?? [];
}

type ResponseSchemas = Record<string, unknown>;
type RouteSchema = { response?: ResponseSchemas } & Record<string, unknown>;

const VALIDATED_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/**
 * Adds to the document (not to the route, whose serialisation stays as it is) the errors every route of the
 * stack can answer: 422 where a schema validates the request, and any other 4xx, always as `{"detail"}`.
 */
function withErrorResponses(routeSchema: RouteSchema | undefined): RouteSchema {
  const schema = routeSchema ?? {};
  if (schema.hide === true) return schema;
  const response: ResponseSchemas = { ...(schema.response ?? {}) };
  // A route that declares no answers would otherwise be listed with its errors only: say it answers, in any shape.
  if (schema.response === undefined) {
    response['200'] = { description: 'Default Response' };
  }
  const validated = VALIDATED_PARTS.some((part) => schema[part] !== undefined);
  if (validated && response['422'] === undefined) {
    response['422'] = errorResponse(
      'The request does not match the schema; `detail` names the first field at fault.',
    );
  }
  if (response['4xx'] === undefined && response['4XX'] === undefined) {
    response['4XX'] = errorResponse(
      "Any other caller's mistake (malformed JSON, an unsupported content type, a body over the limit, an unknown path).",
    );
  }
  return { ...schema, response };
}

/**
 * @fastify/swagger marks every request body required; a body schema that accepts `null` is optional here, since
 * an empty JSON body reads as no body (see `json-body.ts`).
 */
function optionalBodyIfNullable(operation: unknown): void {
  const body = (operation as { requestBody?: { required?: boolean; content?: Record<string, unknown> } })
    ?.requestBody;
  const schema = (body?.content?.['application/json'] as { schema?: { anyOf?: unknown[] } } | undefined)
    ?.schema;
  if (body && schema?.anyOf?.some((option) => (option as { type?: unknown }).type === 'null')) {
    body.required = false;
  }
}

/** The prefix the gateway stripped (`/pybackend`), so "Try it out" behind the gateway calls the gateway's paths. */
function serverUrl(request: FastifyRequest): string {
  const prefix = request.headers['x-forwarded-prefix'];
  return typeof prefix === 'string' && /^\/[\w\-./]*$/.test(prefix) ? prefix : '/';
}

/**
 * Serves `/openapi.json` and `/docs/` for `app`. Call it before registering the routes, and register them as
 * plugins (`app.register(routes)`): @fastify/swagger loads as a plugin too, so it sees the routes of plugins
 * registered after it, not routes added straight on `app` (`checkOpenApi` in `./testing` catches those). Each
 * route's request schemas, its response schemas, and the error answers of {@link withErrorResponses} appear;
 * routes with `schema: { hide: true }` do not.
 */
export function registerOpenApi(app: Service, options: OpenApiOptions): void {
  const routes: DocumentedRoute[] = [];
  documented.set(app, routes);
  app.addHook('onRoute', (route) => {
    routes.push({ method: route.method, url: route.url, schema: route.schema });
  });
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description === undefined ? {} : { description: options.description }),
      },
    },
    transform: ({ schema, url }) => ({
      schema: withErrorResponses(schema as RouteSchema | undefined) as never,
      url,
    }),
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      const { openapiObject } = documentObject;
      for (const item of Object.values(openapiObject.paths ?? {})) {
        const fields = item as Record<string, unknown>;
        for (const field of Object.keys(fields)) {
          if (!PATH_ITEM_FIELDS.has(field)) delete fields[field];
          else optionalBodyIfNullable(fields[field]);
        }
      }
      return openapiObject;
    },
  });

  const document = (request: FastifyRequest) => ({
    ...app.swagger(),
    servers: [{ url: serverUrl(request) }],
  });

  app.register(async (scope: Service) => {
    if (options.routeConfig) {
      const extra = options.routeConfig;
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, ...extra };
      });
    }
    scope.get(OPENAPI_PATH, { schema: { hide: true } }, async (request) => document(request));
    await scope.register(swaggerUi, {
      routePrefix: DOCS_PATH,
      // No call to the public validator.swagger.io: everything the page needs comes from this service.
      validatorUrl: false,
      transformSpecification: (_spec, request) => document(request),
      transformSpecificationClone: false,
      uiHooks: {
        // `/docs` becomes `/docs/` by a relative redirect, so that behind a gateway that strips a prefix the
        // browser stays under it; the page then loads its assets and the document relative to `/docs/`.
        onRequest: async (request, reply) => {
          if (request.url.split('?', 1)[0] === DOCS_PATH)
            return reply.redirect(`${DOCS_PATH.slice(1)}/`, 302);
        },
      },
    });
  });
}

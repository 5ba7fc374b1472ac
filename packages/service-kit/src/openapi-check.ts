/**
 * For each service's tests: its `/openapi.json` is a valid OpenAPI 3.1 document, every schema in it is valid JSON
 * Schema 2020-12, and every route of the service's router is in it with the parts of its schema (body, parameters,
 * responses) and the error answers.
 */
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DOCS_PATH, documentedRoutes, OPENAPI_PATH } from './openapi.ts';
import type { Service } from './service.ts';

/** The methods an OpenAPI 3.1 path item can hold (HEAD routes Fastify adds for GET are left out). */
const DOCUMENTED_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']);

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** An OpenAPI document, as far as these checks read it. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation | undefined>>;
}

/** `:name` becomes `{name}`, as OpenAPI writes a path parameter, and a wildcard `{*}`, as @fastify/swagger does. */
const openApiPath = (url: string) => url.replaceAll(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');

/**
 * The routes of Fastify's router, read from `printRoutes()`: each line is a piece of a path (indented four columns
 * per level, to be appended to its parent's) and the methods that end there, e.g. `    ├── admission (POST)`.
 */
export function routerRoutes(app: Service): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  const segments: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const marker = line.indexOf('── ');
    if (marker === -1) continue;
    const depth = (marker - 1) / 4;
    const [, segment = '', methods] = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(marker + 3)) ?? [];
    segments.length = depth;
    segments.push(segment);
    for (const method of methods?.split(', ') ?? []) routes.push({ method, url: segments.join('') });
  }
  return routes;
}

function schemasOf(operation: Operation): unknown[] {
  const media = [
    ...Object.values(operation.requestBody?.content ?? {}),
    ...Object.values(operation.responses ?? {}).flatMap((response) => Object.values(response.content ?? {})),
  ];
  return [
    ...media.map((m) => m.schema),
    ...(operation.parameters ?? []).map((p) => (p as { schema?: unknown }).schema),
  ];
}

const isServedDocumentation = (url: string) =>
  url === OPENAPI_PATH || url === DOCS_PATH || url.startsWith(`${DOCS_PATH}/`);

/**
 * Fetches `app`'s document and checks it (see the module comment); throws an assertion error naming what is
 * missing or invalid. Returns the document for the service's own assertions.
 */
export async function checkOpenApi(app: Service): Promise<OpenApiDocument> {
  const res = await app.inject(OPENAPI_PATH);
  assert.equal(res.statusCode, 200, `GET ${OPENAPI_PATH}: ${res.body}`);
  const document = res.json<OpenApiDocument>();
  assert.equal(document.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(document) as never);

  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const schema of schemasOf(operation ?? {})) {
        if (schema === undefined) continue;
        assert.doesNotThrow(() => ajv.compile(schema as object), `${method} ${path}: invalid JSON Schema`);
      }
    }
  }

  // Every route the router serves is documented, unless its schema hides it (as the documentation's own do).
  const hidden = new Set(
    documentedRoutes(app)
      .filter((route) => route.schema?.hide === true)
      .map((route) => route.url),
  );
  for (const { method, url } of routerRoutes(app)) {
    if (!DOCUMENTED_METHODS.has(method) || hidden.has(url) || isServedDocumentation(url)) continue;
    const operation = document.paths[openApiPath(url)]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${url} is served but not in ${OPENAPI_PATH}`);
  }

  // ...with every part of its schema, and the error answers.
  for (const route of documentedRoutes(app)) {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.hide === true) continue;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) =>
      DOCUMENTED_METHODS.has(m),
    );
    for (const method of methods) {
      const where = `${method} ${route.url}`;
      const operation = document.paths[openApiPath(route.url)]?.[method.toLowerCase()];
      assert.ok(operation, `${where} is not in ${OPENAPI_PATH}`);
      if (schema.body !== undefined) assert.ok(operation.requestBody?.content, `${where}: no request body`);
      for (const [part, place] of [
        ['params', 'path'],
        ['querystring', 'query'],
        ['headers', 'header'],
      ] as const) {
        const properties = (schema[part] as { properties?: object } | undefined)?.properties ?? {};
        for (const name of Object.keys(properties)) {
          assert.ok(
            operation.parameters?.some((p) => p.in === place && p.name.toLowerCase() === name.toLowerCase()),
            `${where}: ${place} parameter ${name} missing`,
          );
        }
      }
      const responses = operation.responses ?? {};
      for (const status of Object.keys((schema.response as object | undefined) ?? {})) {
        assert.ok(responses[status.toUpperCase()], `${where}: response ${status} missing`);
      }
      const validated = ['body', 'params', 'querystring', 'headers'].some(
        (part) => schema[part] !== undefined,
      );
      if (validated) assert.ok(responses['422']?.content, `${where}: the 422 answer is not described`);
      assert.ok(
        Object.keys(responses).some((status) => status.startsWith('4')),
        `${where}: no error answer described`,
      );
    }
  }
  return document;
}

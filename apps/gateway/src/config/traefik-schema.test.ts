/**
 * The files in infra/gateway/ run under real Traefik too, so they may only use Traefik's field names:
 * gateway.yml is checked against Traefik's published static schema and every dynamic file against the
 * file-provider schema (SchemaStore's, copied in testdata/schemas/). What only our gateway reads lives in
 * gateway.extensions.yml, which Traefik never opens.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { loadStaticConfig } from './static-sources.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const infra = join(root, 'infra', 'gateway');

type JsonSchema = { properties: Record<string, unknown> };
const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`./testdata/schemas/${name}`, import.meta.url), 'utf8')) as JsonSchema;
const staticSchema = schema('traefik-v3.json');
const fileProviderSchema = schema('traefik-v3-file-provider.json');
const ajv = new Ajv({ allErrors: true });
const validateStatic = ajv.compile(staticSchema);
const validateDynamic = ajv.compile(fileProviderSchema);

/** Where an error is: the unknown field itself for `additionalProperties`, else the value at fault. */
function location(error: ErrorObject): string {
  if (error.keyword !== 'additionalProperties') return error.instancePath || '/';
  return `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
}

/**
 * One line per problem, naming the field: `/entryPoints/web/http/aliasHeadersStrategy: not a Traefik field`.
 * A middleware is a oneOf over every type, so a bad field inside forwardAuth also fails each other branch at
 * the middleware itself: only the deepest locations are kept, once each.
 */
function describeErrors(errors: readonly ErrorObject[]): string[] {
  const found = errors.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'anyOf');
  const places = found.map(location);
  const lines = found
    .filter((_, i) => !places.some((other) => other.startsWith(`${places[i]}/`)))
    .map((error) =>
      error.keyword === 'additionalProperties'
        ? `${location(error)}: not a Traefik field`
        : `${location(error)}: ${error.message ?? error.keyword}`,
    );
  return [...new Set(lines)];
}

/** The problems of a static document; Traefik's static schema leaves its top level open, so it is closed here. */
function staticProblems(document: Record<string, unknown>): string[] {
  const problems = schemaProblems(validateStatic, document);
  for (const key of Object.keys(document)) {
    if (!(key in staticSchema.properties)) problems.push(`/${key}: not a Traefik field`);
  }
  return problems;
}

function dynamicProblems(document: unknown): string[] {
  return schemaProblems(validateDynamic, document);
}

function schemaProblems(validate: ValidateFunction, document: unknown): string[] {
  return validate(document) ? [] : describeErrors(validate.errors ?? []);
}

/** Parses a YAML file as written: `{{ env ... }}` templates sit inside strings, so they validate as strings. */
const readYaml = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const yamlFiles = (directory: string): string[] => {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names.filter((name) => /\.ya?ml$/.test(name)).map((name) => join(directory, name));
};

const dynamicFiles = [
  ...yamlFiles(join(infra, 'dynamic')),
  ...yamlFiles(join(infra, 'examples')),
  ...yamlFiles(join(infra, 'examples', 'dynamic')),
];

describe("infra/gateway uses Traefik's field names", () => {
  it("gateway.yml validates against Traefik's static schema", () => {
    const file = join(infra, 'gateway.yml');
    const problems = staticProblems(readYaml(file));
    assert.deepEqual(problems, [], `${relative(root, file)}:\n  ${problems.join('\n  ')}`);
  });

  it('has dynamic files to check', () => {
    assert.ok(dynamicFiles.length >= 5, dynamicFiles.join(', '));
  });

  for (const file of dynamicFiles) {
    it(`${relative(infra, file)} validates against Traefik's file-provider schema`, () => {
      const problems = dynamicProblems(readYaml(file));
      assert.deepEqual(problems, [], `${relative(root, file)}:\n  ${problems.join('\n  ')}`);
    });
  }

  it("gateway.extensions.yml holds this gateway's own options only, none inside a Traefik section", () => {
    const extensions = readYaml(join(infra, 'gateway.extensions.yml')) as Record<string, unknown>;
    assert.ok(Object.keys(extensions).length > 0);
    for (const [key, value] of Object.entries(extensions)) {
      assert.deepEqual(staticProblems({ [key]: value }), [`/${key}: not a Traefik field`], key);
    }
  });

  it('gateway.yml with its extensions file loads without warnings where the deployments set GATEWAY_ALIAS_HEADERS_STRATEGY', async () => {
    const load = (env: Record<string, string>) =>
      loadStaticConfig({ argv: ['--configFile', join(infra, 'gateway.yml')], env, cwd: root });
    const deployed = await load({ GATEWAY_ALIAS_HEADERS_STRATEGY: 'delete' });
    assert.equal(deployed.extensionsFile, join(infra, 'gateway.extensions.yml'));
    assert.deepEqual(deployed.warnings, []);
    for (const name of ['web', 'websecure', 'traefik']) {
      assert.equal(deployed.config.entryPoints[name]?.http?.aliasHeadersStrategy, 'delete', name);
    }
    assert.equal(deployed.config.forwardAuthCache?.ttl, 5000);
    // Without the variable (Traefik's own default, keep), the gateway says what underscoreHeadersStrategy misses.
    const bare = await load({});
    assert.equal(bare.config.entryPoints.web?.http?.aliasHeadersStrategy, undefined);
    assert.match(bare.warnings.join('\n'), /underscoreHeadersStrategy: covers X_Auth_User-style names only/);
  });

  it('reports each field Traefik does not have by its path, at any depth', () => {
    const gateway = readYaml(join(infra, 'gateway.yml'));
    const withAlias = structuredClone(gateway) as { entryPoints: { web: { http: Record<string, unknown> } } };
    // A Traefik v3.7.12 field that this schema copy and our Traefik pin (v3.7.11) do not know: the deployments
    // give it to our gateway as GATEWAY_ALIAS_HEADERS_STRATEGY instead.
    withAlias.entryPoints.web.http.aliasHeadersStrategy = 'delete';
    assert.deepEqual(staticProblems(withAlias), [
      '/entryPoints/web/http/aliasHeadersStrategy: not a Traefik field',
    ]);
    assert.deepEqual(staticProblems({ ...gateway, gatewayOnly: {} }), ['/gatewayOnly: not a Traefik field']);

    const auth = readYaml(join(infra, 'dynamic', 'auth.yml')) as {
      http: { middlewares: { 'auth-rbackend': { forwardAuth: Record<string, unknown> } } };
    };
    auth.http.middlewares['auth-rbackend'].forwardAuth.timeout = '5s';
    assert.deepEqual(dynamicProblems(auth), [
      '/http/middlewares/auth-rbackend/forwardAuth/timeout: not a Traefik field',
    ]);
  });
});

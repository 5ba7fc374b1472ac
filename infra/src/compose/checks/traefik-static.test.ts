/**
 * The traefik profile's static file is infra/gateway/gateway.yml plus the docker provider, and nothing else:
 * Traefik reads one static file and cannot include another, so this copy is kept identical by test, and checked
 * against Traefik's static schema (the copy the gateway's own schema test uses).
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from '../paths.ts';
import { GATEWAY_DIR } from './stack.ts';

const read = async (path: string) =>
  parse(await readFile(path, 'utf8')) as Record<string, Record<string, unknown>>;
const traefik = await read(join(REPO_ROOT, 'infra', 'compose', 'traefik.yml'));
const gateway = await read(join(GATEWAY_DIR, 'gateway.yml'));

describe('traefik profile: static file', () => {
  it('is gateway.yml plus the docker provider, with the admin entrypoint on every interface', () => {
    const { docker, ...providers } = traefik.providers ?? {};
    // The one difference: gateway.yml's admin entrypoint is loopback-only, and a container's loopback cannot be
    // published; compose publishes Traefik's on the host's 127.0.0.1 instead.
    const entryPoints = traefik.entryPoints as Record<string, { address: string }>;
    assert.equal(entryPoints.traefik?.address, ':8080');
    const admin = (gateway.entryPoints as Record<string, { address: string }>).traefik?.address ?? '';
    const sameButAdmin = { ...entryPoints, traefik: { ...entryPoints.traefik, address: admin } };
    assert.deepEqual({ ...traefik, entryPoints: sameButAdmin, providers }, gateway);
    assert.deepEqual(docker, { exposedByDefault: false }, 'only containers labelled traefik.enable=true');
  });

  it("is valid for Traefik v3's static schema, top level included", async () => {
    const schemaFile = join(
      REPO_ROOT,
      'apps',
      'gateway',
      'src',
      'config',
      'testdata',
      'schemas',
      'traefik-v3.json',
    );
    const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as { properties: Record<string, unknown> };
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(traefik), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(
      Object.keys(traefik).filter((key) => !(key in schema.properties)),
      [],
    );
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StaticConfigError } from '../errors.ts';
import { parseStaticConfig } from './static.ts';
import { loadStaticConfig, parseArgs } from './static-sources.ts';

describe('static configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-static-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads Traefik v3 YAML with case-insensitive field names and resolves paths against the file', async () => {
    const path = await file(
      'gateway.yml',
      `entrypoints:
  web:
    ADDRESS: ":8000"
  traefik:
    address: 127.0.0.1:8080
Providers:
  providersThrottleDuration: 200ms
  file:
    directory: dynamic
api:
  insecure: true
ping: {}
metrics:
  prometheus: {}
accessLog:
  format: json
log:
  level: debug
`,
    );
    const { config, warnings } = await loadStaticConfig({ argv: ['--configFile', path], env: {}, cwd: '/' });
    assert.deepEqual(warnings, []);
    assert.equal(config.entryPoints.web?.address, ':8000');
    assert.equal(config.entryPoints.traefik?.address, '127.0.0.1:8080');
    assert.equal(config.providers.providersThrottleDuration, 200);
    assert.equal(config.providers.file?.directory, join(dir, 'dynamic'));
    assert.equal(config.providers.file?.watch, true);
    assert.equal(config.api?.insecure, true);
    assert.equal(config.api?.dashboard, true);
    assert.equal(config.ping?.entryPoint, 'traefik');
    assert.equal(config.accessLog?.format, 'json');
    assert.equal(config.log?.level, 'DEBUG');
  });

  it('lets flags and GATEWAY_ENTRYPOINTS_<NAME>_ADDRESS override the file (flags win)', async () => {
    const path = await file(
      'ports.yml',
      'entryPoints:\n  web:\n    address: ":8000"\n  traefik:\n    address: ":8080"\n',
    );
    const { config } = await loadStaticConfig({
      argv: ['--configFile', path, '--entryPoints.web.address=:9000', '--ping'],
      env: { GATEWAY_ENTRYPOINTS_WEB_ADDRESS: ':7000', GATEWAY_ENTRYPOINTS_TRAEFIK_ADDRESS: ':7080' },
      cwd: dir,
    });
    assert.equal(config.entryPoints.web?.address, ':9000');
    assert.equal(config.entryPoints.traefik?.address, ':7080');
    assert.deepEqual(Object.keys(config.entryPoints).sort(), ['traefik', 'web']);
    assert.equal(config.ping?.entryPoint, 'traefik');
  });

  it('merges the static extensions file beside the config file (gateway.yml → gateway.extensions.yml)', async () => {
    const sub = await mkdtemp(join(dir, 'ext-'));
    await writeFile(
      join(sub, 'gateway.yml'),
      'entryPoints:\n  web:\n    address: ":8000"\n    http:\n      underscoreHeadersStrategy: delete\n',
    );
    const bare = await loadStaticConfig({
      argv: ['--configFile', join(sub, 'gateway.yml')],
      env: {},
      cwd: '/',
    });
    assert.equal(bare.extensionsFile, undefined);
    assert.match(
      bare.warnings.join('\n'),
      /entryPoints\.web\.http\.underscoreHeadersStrategy: covers X_Auth_User-style names only/,
    );

    await writeFile(
      join(sub, 'gateway.extensions.yml'),
      'workers: 1\naccessLog:\n  filePath: logs/access.log\n',
    );
    const loaded = await loadStaticConfig({
      argv: ['--configFile', join(sub, 'gateway.yml'), '--entryPoints.web.address=:9000'],
      env: {},
      cwd: '/',
    });
    assert.equal(loaded.extensionsFile, join(sub, 'gateway.extensions.yml'));
    assert.equal(loaded.config.workers, 1);
    assert.equal(loaded.config.entryPoints.web?.address, ':9000', 'flags still win');
    assert.equal(loaded.config.entryPoints.web?.http?.underscoreHeadersStrategy, 'delete');
    assert.equal(loaded.config.accessLog?.filePath, join(sub, 'logs/access.log'));
  });

  it('resolves relative paths given as flags against the working directory', async () => {
    const { config } = await loadStaticConfig({
      argv: ['--providers.file.filename', 'conf/dyn.yml', '--entryPoints.web.address', ':1'],
      env: {},
      cwd: '/srv',
    });
    assert.equal(config.providers.file?.filename, '/srv/conf/dyn.yml');
  });

  it('warns about unknown top-level keys and names each bad field in one error', async () => {
    const parsed = parseStaticConfig({ entryPoints: { web: { address: ':1' } }, pilot: {}, tracing: {} });
    assert.equal(parsed.warnings.length, 2);
    assert.match(parsed.warnings.join('\n'), /pilot: unknown field, ignored/);
    assert.throws(
      () =>
        parseStaticConfig({
          entryPoints: {
            web: { address: 8000, forwardedHeaders: { trustedIPs: ['10.0.0.0/8', '10.0.0.300'] } },
            other: { adress: ':1' },
          },
          providers: { file: { directory: 'a', filename: 'b', watch: 'maybe' } },
          ping: [],
        }),
      (error: unknown) => {
        assert.ok(error instanceof StaticConfigError);
        assert.equal(error.code, 'ERR_INVALID_STATIC_CONFIG');
        const text = error.problems.join('\n');
        assert.match(text, /entryPoints\.web\.address: expected "\[host\]:port", got "8000"/);
        assert.match(text, /entryPoints\.other\.adress: unknown field/);
        assert.match(text, /entryPoints\.web\.forwardedHeaders\.trustedIPs\[1\]: expected an IP or a CIDR/);
        assert.match(text, /entryPoints\.other\.address: is required/);
        assert.match(text, /providers\.file\.watch: expected a boolean/);
        assert.match(text, /ping: expected a map, got a list/);
        return true;
      },
    );
  });

  it('rejects directory and filename together', () => {
    assert.throws(
      () => parseStaticConfig({ providers: { file: { directory: 'a', filename: 'b' } } }),
      /providers\.file: directory and filename are mutually exclusive/,
    );
  });

  it('applies Traefik defaults: http on :80, and traefik on :8080 when the API or ping is on', () => {
    const { config } = parseStaticConfig({ ping: null });
    assert.equal(config.entryPoints.http?.address, ':80');
    assert.equal(config.entryPoints.traefik?.address, ':8080');
    assert.equal(config.providers.providersThrottleDuration, 2000);
  });

  it('reports a YAML error with the file name', async () => {
    const path = await file('broken.yml', 'entryPoints:\n  web: [\n');
    await assert.rejects(
      loadStaticConfig({ argv: [`--configFile=${path}`], env: {}, cwd: dir }),
      (error: unknown) => error instanceof StaticConfigError && error.message.includes(path),
    );
  });

  it('parses flags: --a.b=c, --a.b c, bare booleans, and rejects stray arguments', () => {
    const args = parseArgs([
      '--configFile',
      'x.yml',
      '--api.insecure',
      '--log.level=DEBUG',
      '--entryPoints.web.address',
      ':1',
    ]);
    assert.equal(args.configFile, 'x.yml');
    assert.deepEqual(args.flags, {
      api: { insecure: 'true' },
      log: { level: 'DEBUG' },
      entryPoints: { web: { address: ':1' } },
    });
    assert.throws(() => parseArgs(['serve']), StaticConfigError);
  });
});

describe('the unauthenticated admin API (api.insecure) listens on loopback only unless opted in', () => {
  const admin = (address: string, extra: Record<string, unknown> = {}) =>
    parseStaticConfig({
      entryPoints: { web: { address: ':8000' }, traefik: { address } },
      api: { insecure: true, ...extra },
    });

  for (const [address, confined] of [
    [':8080', '127.0.0.1:8080'],
    ['0.0.0.0:8080', '127.0.0.1:8080'],
    ['192.0.2.10:8080', '127.0.0.1:8080'],
    ['[::]:8080', '[::1]:8080'],
  ] as const) {
    it(`moves ${address} to ${confined}, with a warning that says how to opt in`, () => {
      const { config, warnings } = admin(address);
      assert.equal(config.entryPoints.traefik?.address, confined);
      assert.equal(config.entryPoints.web?.address, ':8000', 'other entrypoints are left alone');
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? '',
        new RegExp(
          `entryPoints\\.traefik\\.address: .*api\\.insecure.*listening on ${confined.replace(/[[\]]/g, '\\$&')} instead of "${address.replace(/[[\]]/g, '\\$&')}".*GATEWAY_ADMIN_PUBLIC=true.*api\\.allowPublicAddress`,
        ),
      );
    });
  }

  it("applies to Traefik's default admin entrypoint (:8080) too", () => {
    const { config } = parseStaticConfig({ api: { insecure: true } });
    assert.equal(config.entryPoints.traefik?.address, '127.0.0.1:8080');
  });

  it('keeps loopback addresses, and non-loopback ones when the API is not insecure', () => {
    for (const address of ['127.0.0.1:8080', '127.0.0.2:8080', 'localhost:8080', '[::1]:8080']) {
      const { config, warnings } = admin(address);
      assert.equal(config.entryPoints.traefik?.address, address);
      assert.deepEqual(warnings, []);
    }
    const { config } = parseStaticConfig({
      entryPoints: { traefik: { address: ':8080' } },
      ping: {},
      metrics: { prometheus: {} },
    });
    assert.equal(config.entryPoints.traefik?.address, ':8080');
  });

  it('GATEWAY_ALIAS_HEADERS_STRATEGY sets aliasHeadersStrategy on every entrypoint the files leave without one', async (t) => {
    const sub = await mkdtemp(join(tmpdir(), 'gateway-alias-'));
    t.after(() => rm(sub, { recursive: true, force: true }));
    await writeFile(
      join(sub, 'gateway.yml'),
      'entryPoints:\n  web:\n    address: ":8000"\n    http:\n      underscoreHeadersStrategy: delete\n' +
        '  api:\n    address: ":8001"\n    http:\n      aliasHeadersStrategy: reject\n',
    );
    const load = (value: string) =>
      loadStaticConfig({
        argv: ['--configFile', join(sub, 'gateway.yml')],
        env: { GATEWAY_ALIAS_HEADERS_STRATEGY: value },
        cwd: '/',
      });
    const loaded = await load('delete');
    assert.deepEqual(loaded.warnings, []);
    assert.equal(loaded.config.entryPoints.web?.http?.aliasHeadersStrategy, 'delete');
    assert.equal(loaded.config.entryPoints.api?.http?.aliasHeadersStrategy, 'reject', 'the file wins');
    await assert.rejects(
      load('drop'),
      /GATEWAY_ALIAS_HEADERS_STRATEGY: "drop" is not one of keep, delete, reject/,
    );
  });

  it('keeps a public address with GATEWAY_ADMIN_PUBLIC=true or api.allowPublicAddress in the extensions file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-admin-'));
    try {
      await writeFile(
        join(dir, 'gateway.yml'),
        'entryPoints:\n  traefik:\n    address: "0.0.0.0:8080"\napi:\n  insecure: true\n',
      );
      const load = (env: Record<string, string>) =>
        loadStaticConfig({ argv: ['--configFile', join(dir, 'gateway.yml')], env, cwd: dir });
      assert.equal((await load({})).config.entryPoints.traefik?.address, '127.0.0.1:8080');
      assert.equal(
        (await load({ GATEWAY_ADMIN_PUBLIC: 'false' })).config.entryPoints.traefik?.address,
        '127.0.0.1:8080',
      );
      const opted = await load({ GATEWAY_ADMIN_PUBLIC: 'true' });
      assert.equal(opted.config.entryPoints.traefik?.address, '0.0.0.0:8080');
      assert.deepEqual(opted.warnings, []);

      await writeFile(join(dir, 'gateway.extensions.yml'), 'api:\n  allowPublicAddress: true\n');
      const extended = await load({});
      assert.equal(extended.config.entryPoints.traefik?.address, '0.0.0.0:8080');
      assert.deepEqual(extended.warnings, []);
      // The environment overrides the file, as for every other field.
      assert.equal(
        (await load({ GATEWAY_ADMIN_PUBLIC: 'false' })).config.entryPoints.traefik?.address,
        '127.0.0.1:8080',
      );
      await assert.rejects(
        load({ GATEWAY_ADMIN_PUBLIC: 'yes please' }),
        /GATEWAY_ADMIN_PUBLIC|allowPublicAddress/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

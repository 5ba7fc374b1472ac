/**
 * Property tests of the dynamic configuration path: file text → YAML → merged resources (providers/file.ts)
 * → validated resources (dynamic-schema.ts) → runtime (runtime/build.ts). Whatever an operator writes, a
 * load is refused with a ProviderLoadError naming the file, a bad resource is disabled with its errors, and
 * nothing else is ever thrown. Inputs are bounded in size.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fuzzRuns } from '@gateway-pattern/fuzzing';
import fc from 'fast-check';
import pino from 'pino';
import { stringify } from 'yaml';
import { ProviderLoadError } from '../errors.ts';
import type { Handler } from '../http/handler.ts';
import { FileProvider } from '../providers/file.ts';
import { buildRuntime } from '../runtime/build.ts';
import { qualify } from '../runtime/names.ts';
import { PoolRegistry } from '../services/pools.ts';
import {
  type DynamicConfig,
  emptyDynamicConfig,
  type ResourceKind,
  resourceKinds,
} from './dynamic-config.ts';
import {
  validateMiddleware,
  validateRouter,
  validateServersTransport,
  validateService,
} from './dynamic-schema.ts';
import { isRawMap } from './raw.ts';

const runs = fuzzRuns(150);

/** Field names the schemas know, so generated objects reach past "unknown field". */
const knownKeys = [
  ...['rule', 'service', 'entryPoints', 'middlewares', 'priority', 'ruleSyntax', 'tls', 'observability'],
  ...['loadBalancer', 'servers', 'url', 'weight', 'preservePath', 'passHostHeader', 'serversTransport'],
  ...['healthCheck', 'sticky', 'weighted', 'mirroring', 'failover', 'responseForwarding', 'strategy'],
  ...['forwardingTimeouts', 'dialTimeout', 'responseHeaderTimeout', 'idleConnTimeout', 'serverName'],
  ...['forwardAuth', 'address', 'trustForwardHeader', 'authResponseHeaders', 'authResponseHeadersRegex'],
  ...['authRequestHeaders', 'addAuthCookiesToResponse', 'headerField', 'maxResponseBodySize', 'forwardBody'],
  ...['maxBodySize', 'timeout', 'authSigninURL', 'preserveRequestMethod', 'preserveLocationHeader'],
  ...['basicAuth', 'users', 'usersFile', 'realm', 'removeHeader', 'stripPrefix', 'prefixes', 'forceSlash'],
  ...['headers', 'customRequestHeaders', 'customResponseHeaders', 'stsSeconds', 'frameDeny', 'chain'],
  ...['redirectScheme', 'scheme', 'port', 'permanent', 'plugin', 'jwt', 'issuer', 'audiences', 'jwksUrl'],
  ...['discoveryUrl', 'algorithms', 'requiredClaims', 'claimHeaders', 'clockTolerance', 'cooldown'],
  ...['redirectRegex', 'rateLimit', 'ipAllowList', 'http', 'routers', 'services', 'certificates'],
  ...['regex', 'replacement', 'prefix', 'path', 'sourceRange', 'ipStrategy', 'depth', 'excludedIPs'],
  ...['sourceCriterion', 'requestHeaderName', 'requestHost', 'average', 'period', 'burst', 'amount'],
  ...['accessControlAllowOriginList', 'accessControlAllowOriginListRegex', 'allowedHosts', 'isDevelopment'],
  ...['encodings', 'minResponseBodyBytes', 'excludedContentTypes', 'maxRequestBodyBytes', 'retryExpression'],
  ...['attempts', 'initialInterval', 'status', 'expression', 'checkPeriod', 'responseCode', 'query'],
];

/** Names resources refer to each other by, so references sometimes resolve and sometimes loop. */
const names = ['a', 'b', 'c', 'a@file', 'b@internal', 'noop@internal', 'api@internal', '__proto__'];

const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53 + 1, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...names),
  fc.constantFrom('10s', '-1s', '1h30m', '0', '1e9', 'abc', '', 'http://127.0.0.1:1', 'https://[::1]:443/x'),
  fc.constantFrom('Host(`a`)', 'PathPrefix(`/`)', 'PathRegexp(`(`)', '^X-(?=a)', 'user:$2y$05$abc', 'v2'),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), fc.string({ maxLength: 8 })), tie('value'), {
      maxKeys: 5,
    }),
  ),
}));

/** Resources shaped like the real thing, with any field replaced by anything. */
const router = fc.record(
  {
    rule: fc.oneof(fc.constantFrom('Host(`a`)', 'PathPrefix(`/x`)', 'Path(`(`)'), value),
    service: fc.oneof(fc.constantFrom(...names), value),
    middlewares: fc.oneof(fc.array(fc.constantFrom(...names), { maxLength: 3 }), value),
    entryPoints: fc.oneof(fc.constantFrom(['web'], ['web', 'nope'], []), value),
    priority: value,
    ruleSyntax: fc.oneof(fc.constantFrom('v2', 'v3', 'v1'), value),
    tls: value,
  },
  { requiredKeys: [] },
);

const service = fc.oneof(
  fc.record({
    loadBalancer: fc.record(
      {
        servers: fc.oneof(
          fc.array(
            fc.record({ url: fc.oneof(fc.constantFrom('http://127.0.0.1:1', 'ftp://x', ''), value) }),
            {
              maxLength: 3,
            },
          ),
          value,
        ),
        passHostHeader: value,
        serversTransport: fc.oneof(fc.constantFrom(...names), value),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.dictionary(fc.constantFrom('loadBalancer', 'weighted', 'mirroring', 'failover'), value, { maxKeys: 2 }),
);

const middleware = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'forwardAuth',
        'basicAuth',
        'stripPrefix',
        'headers',
        'chain',
        'redirectScheme',
        'rateLimit',
        'addPrefix',
        'replacePath',
        'replacePathRegex',
        'stripPrefixRegex',
        'redirectRegex',
        'ipAllowList',
        'inFlightReq',
        'compress',
        'buffering',
        'retry',
        'circuitBreaker',
        'errors',
      ),
      fc.dictionary(fc.constantFrom(...knownKeys), value, { maxKeys: 6 }),
    )
    .map(([type, options]) => ({ [type]: options })),
  fc
    .dictionary(fc.constantFrom('jwt', 'other'), fc.dictionary(fc.constantFrom(...knownKeys), value))
    .map((p) => ({
      plugin: p,
    })),
  value,
);

const serversTransport = fc.oneof(
  fc.record(
    { forwardingTimeouts: fc.dictionary(fc.constantFrom(...knownKeys), value) },
    { requiredKeys: [] },
  ),
  value,
);

const resources = (raw: fc.Arbitrary<unknown>) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 })), raw, { maxKeys: 4 });

const config = fc.record({
  routers: resources(router),
  services: resources(service),
  middlewares: resources(middleware),
  serversTransports: resources(serversTransport),
});

function dynamicConfig(sections: Record<ResourceKind, Record<string, unknown>>): DynamicConfig {
  const built = emptyDynamicConfig();
  for (const kind of resourceKinds) {
    for (const [name, raw] of Object.entries(sections[kind]))
      built[kind].set(name, { raw, source: 'fuzz.yml' });
  }
  return built;
}

function assertValidated(result: { ok: boolean; errors?: readonly string[]; warnings: readonly string[] }) {
  assert.equal(typeof result.ok, 'boolean');
  if (!result.ok) {
    assert.ok(Array.isArray(result.errors) && result.errors.length > 0, 'a refusal says why');
    for (const line of result.errors ?? []) assert.equal(typeof line, 'string');
  }
}

describe('dynamic configuration fuzzing', () => {
  const pools = new PoolRegistry();
  const logger = pino({ level: 'silent' });
  const internalServices = new Map<string, Handler>([['noop@internal', async () => {}]]);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-fuzz-'));
  });
  after(async () => {
    await pools.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates any value as a router, service, middleware or transport without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(router, service, middleware, serversTransport, value), (raw) => {
        assertValidated(validateRouter(raw, 'http.routers.r'));
        assertValidated(validateService(raw, 'http.services.s'));
        assertValidated(validateMiddleware(raw, 'http.middlewares.m'));
        assertValidated(validateServersTransport(raw, 'http.serversTransports.t'));
      }),
      runs,
    );
  });

  it('builds a runtime from any resources, disabling the bad ones, without throwing', () => {
    fc.assert(
      fc.property(config, (sections) => {
        const runtime = buildRuntime(dynamicConfig(sections), {
          provider: 'file',
          entryPoints: ['web', 'websecure'],
          defaultEntryPoints: ['web'],
          tlsEntryPoints: new Set(['websecure']),
          defaultRuleSyntax: 'v3',
          defaultTimeouts: { dialTimeout: 1000, responseHeaderTimeout: 0, idleConnTimeout: 1000 },
          pools,
          internalServices,
          logger,
        });
        // Traefik refuses `@` in a defined name; here `a@file` and `a` are the same router (the first wins).
        for (const name of Object.keys(sections.routers)) {
          assert.equal(typeof runtime.info.routers.get(qualify(name, 'file'))?.status, 'string', name);
        }
      }),
      runs,
    );
  });

  it('loads any file text, or refuses it with a ProviderLoadError naming the file', async () => {
    const file = join(dir, 'dynamic.yml');
    const provider = new FileProvider({ directory: dir, env: { A: 'x' }, throttleMs: 10 });
    // Text from real-looking documents, then damaged: cut short, a character swapped in, template syntax added.
    const documentText = fc.oneof(
      config.map((sections) => stringify({ http: sections })),
      value.map((doc) => stringify(doc)),
    );
    const damage = fc.tuple(
      fc.nat(),
      fc.constantFrom(
        '',
        ':',
        '\t',
        '- ',
        '{',
        '[',
        '&a ',
        '*a',
        '<<: ',
        '{{',
        '}}',
        '{{ env "A" }}',
        '"',
        "'",
        '\0',
      ),
      fc.boolean(),
    );
    const text = fc.oneof(
      documentText,
      fc.tuple(documentText, damage).map(([doc, [at, insert, cut]]) => {
        const i = doc.length === 0 ? 0 : at % doc.length;
        return cut ? doc.slice(0, i) + insert : doc.slice(0, i) + insert + doc.slice(i);
      }),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (source) => {
        await writeFile(file, source);
        try {
          const loaded = await provider.load();
          for (const kind of resourceKinds) assert.ok(loaded.config[kind] instanceof Map);
        } catch (error) {
          assert.ok(error instanceof ProviderLoadError, `not a ProviderLoadError: ${String(error)}`);
          assert.equal(error.file, file);
        }
      }),
      { numRuns: Math.min(runs.numRuns, 100) },
    );
  });

  it('refuses hostile documents (alias bombs, deep nesting) with a ProviderLoadError, quickly', async () => {
    const file = join(dir, 'dynamic.yml');
    const provider = new FileProvider({ directory: dir, env: {}, throttleMs: 10 });
    const nine = (name: string) => `[${Array(9).fill(name).join(',')}]`;
    const hostile = [
      `a: &a ${nine('"x"')}\nb: &b ${nine('*a')}\nc: &c ${nine('*b')}\nd: &d ${nine('*c')}\ne: ${nine('*d')}\n`,
      `http: ${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `http:\n  routers:\n    r: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`,
      `${'{{ if true }}'.repeat(10_000)}${'{{ end }}'.repeat(10_000)}`,
      '- just\n- a list\n',
      'http: [1, 2]\n',
    ];
    for (const source of hostile) {
      await writeFile(file, source);
      await assert.rejects(provider.load(), (error: unknown) => {
        assert.ok(error instanceof ProviderLoadError, `not a ProviderLoadError: ${String(error)}`);
        return true;
      });
    }
    // Large but legitimate: 2,000 routers load and build.
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) many[`r${i}`] = { rule: `Host(\`h${i}\`)`, service: 's' };
    await writeFile(file, stringify({ http: { routers: many } }));
    const loaded = await provider.load();
    assert.equal(loaded.config.routers.size, 2000);
    assert.ok(isRawMap(loaded.config.routers.get('r1999')?.raw));
  });
});

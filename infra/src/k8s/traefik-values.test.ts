import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  ALLOWED_VALUES_SCHEMA,
  loadValues,
  mergeValues,
  TRAEFIK_CHART_VERSION,
  VALUES_FILES,
  valuesProblems,
} from './traefik-values.ts';

interface Values {
  deployment?: { replicas?: number; podAnnotations?: Record<string, string> };
  ports?: Record<string, { http?: Record<string, unknown> }>;
  accessLog?: { enabled?: boolean; fields?: { headers?: { names?: Record<string, string> } } };
  certificatesResolvers?: Record<string, { acme?: Record<string, unknown> }>;
  persistence?: { enabled?: boolean };
}

const base = loadValues('values.yaml') as Values;
const production = mergeValues(base, loadValues('values-production.yaml')) as Values;

describe(`Traefik Helm values (chart ${TRAEFIK_CHART_VERSION})`, () => {
  for (const file of VALUES_FILES) {
    test(`${file} uses only keys the chart has, with their types`, () => {
      assert.deepEqual(valuesProblems(ALLOWED_VALUES_SCHEMA, loadValues(file)), []);
    });
  }

  test('keys that older charts used, or typos, are refused', () => {
    const problems = valuesProblems(ALLOWED_VALUES_SCHEMA, {
      ports: {
        web: {
          redirectTo: { port: 'websecure' },
          http: { redirections: { entryPoint: { to: 'websecure' } } },
        },
      },
      logs: { access: { enabled: true } },
      accessLog: { fields: { headers: { names: { Authorization: 'hide' } } } },
    });
    assert.equal(problems.length, 3, problems.join('\n'));
  });

  test('Traefik is meshed by Linkerd in ingress mode', () => {
    assert.equal(base.deployment?.podAnnotations?.['linkerd.io/inject'], 'ingress');
  });

  test('access log on, with credentials redacted', () => {
    assert.equal(base.accessLog?.enabled, true);
    const names = base.accessLog?.fields?.headers?.names ?? {};
    assert.equal(names.Authorization, 'redact');
    assert.equal(names.Cookie, 'redact');
  });

  test('production: HTTP redirected to HTTPS, ACME by tls-alpn-01 on a persistent store, one replica', () => {
    assert.deepEqual(production.ports?.web?.http?.redirections, {
      entryPoint: { to: 'websecure', scheme: 'https', permanent: true },
    });
    const acme = production.certificatesResolvers?.le?.acme;
    // `true`, since the chart drops an empty map (`tlsChallenge: {}`) from the flags it renders.
    assert.equal(acme?.tlsChallenge, true);
    assert.match(String(acme?.storage), /^\/data\//);
    assert.equal(production.persistence?.enabled, true);
    assert.equal(production.deployment?.replicas, 1, 'the chart refuses ACME with more replicas');
    assert.equal(acme?.email, undefined, 'the e-mail comes from site.env, on the helm command line');
  });

  // The chart's own schema is not vendored; point TRAEFIK_CHART_DIR at an unpacked chart (its `traefik/` folder,
  // e.g. from `helm pull traefik/traefik --version 41.3.0 --untar`) to validate against it as Helm would.
  const chartDir = process.env.TRAEFIK_CHART_DIR;
  test('with TRAEFIK_CHART_DIR: the values, merged over the chart defaults, pass the chart’s values.schema.json', {
    skip: chartDir ? false : 'TRAEFIK_CHART_DIR is not set: chart schema not checked',
  }, () => {
    const dir = chartDir ?? '';
    assert.ok(existsSync(join(dir, 'values.schema.json')), `${dir}/values.schema.json`);
    const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { version?: string };
    assert.equal(chart.version, TRAEFIK_CHART_VERSION);
    const schema = JSON.parse(readFileSync(join(dir, 'values.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const defaults = parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) as unknown;
    const withEmail = { certificatesResolvers: { le: { acme: { email: 'admin@example.com' } } } };
    assert.deepEqual(valuesProblems(schema, mergeValues(defaults, base)), []);
    assert.deepEqual(valuesProblems(schema, mergeValues(mergeValues(defaults, production), withEmail)), []);
  });
});

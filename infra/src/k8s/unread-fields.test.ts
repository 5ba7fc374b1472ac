import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from './objects.ts';
import { schemaProblems } from './strict-schema.ts';

const deployment = (container: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x', 'any.label/too': 'y' } },
  spec: {
    selector: { matchLabels: { app: 'x' } },
    template: {
      metadata: { labels: { app: 'x' } },
      spec: {
        containers: [
          { name: 'x', image: 'x:1', resources: { limits: { cpu: '1', memory: '1Gi' } }, ...container },
        ],
      },
    },
  },
});

const middleware = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'Middleware',
  metadata: { name: 'm' },
  spec,
});

describe('schemaProblems', () => {
  test('a valid object, with map-typed fields (labels, limits, headers), has none', () => {
    assert.deepEqual(
      schemaProblems(deployment({ readinessProbe: { grpc: { port: 50051, service: '' } } })),
      [],
    );
    assert.deepEqual(
      schemaProblems(
        middleware({ headers: { customRequestHeaders: { 'l5d-dst-override': 'a.b:1', 'X-Any': '' } } }),
      ),
      [],
    );
  });

  test('names the fields the schema does not know, at any depth (the models alone accept them)', () => {
    assert.deepEqual(
      schemaProblems(deployment({ readinessprobe: {}, ports: [{ containerPort: 80, nam: 'http' }] })),
      [
        'Deployment/x: unknown field /spec/template/spec/containers/0/readinessprobe',
        'Deployment/x: unknown field /spec/template/spec/containers/0/ports/0/nam',
      ],
    );
    assert.deepEqual(schemaProblems(middleware({ basicAuth: { users: ['u:h'], secret: 's' } })), [
      'Middleware/m: unknown field /spec/basicAuth/users',
    ]);
  });

  test('reports the models’ own type, enum and required errors', () => {
    const [problem] = schemaProblems(deployment({ readinessProbe: { grpc: { port: 'grpc' } } }));
    assert.match(problem ?? '', /^Deployment\/x: .*grpc\/port must be integer/);
    const route: KubeObject = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'r' },
      spec: { routes: [{ kind: 'Rul', services: [{ name: 's', port: 80 }] }] },
    };
    const problems = schemaProblems(route).join('\n');
    assert.match(problems, /routes\/0 must have required property match/);
    assert.match(problems, /routes\/0\/kind must be equal to one of the allowed values/);
  });

  test('flags Traefik fields that v3 keeps only as deprecated leftovers of v2', () => {
    assert.deepEqual(schemaProblems(middleware({ stripPrefix: { prefixes: ['/a'], forceSlash: true } })), [
      'Middleware/m: deprecated field /spec/stripPrefix/forceSlash',
    ]);
    assert.deepEqual(schemaProblems(middleware({ headers: { sslRedirect: true } })), [
      'Middleware/m: deprecated field /spec/headers/sslRedirect',
    ]);
  });

  test('refuses a kind it has no schema for, rather than passing it unchecked', () => {
    const profile: KubeObject = {
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'adder.gateway-pattern.svc.cluster.local' },
    };
    assert.deepEqual(schemaProblems(profile), [
      'ServiceProfile/adder.gateway-pattern.svc.cluster.local: no schema for linkerd.io/v1alpha2 ServiceProfile',
    ]);
  });

  test('reads Secret data as the API server does: base64 folded over lines is fine, anything else is not', () => {
    const secret = (value: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { users: value },
    });
    assert.deepEqual(schemaProblems(secret('dXNlcjE6JDJi\nJDEwJDVG\n')), []);
    assert.match(schemaProblems(secret('not base64!')).join(), /must match format "byte"/);
  });
});

/**
 * The identity provider as every other workload names it: one issuer (what browsers and clients call it, every
 * token's `iss`) and one internal address (the back channel), per overlay.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { getObject, type KubeObject } from './objects.ts';
import { K8S_DIR, OVERLAYS } from './paths.ts';
import { containerEnv } from './pods.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

function envOf(objects: readonly KubeObject[], deployment: string): Record<string, string> {
  const container = getObject<IDeployment>(objects, 'Deployment', deployment).spec?.template.spec
    ?.containers[0] as IContainer;
  return containerEnv(objects, container);
}

const domain = /^DOMAIN=(.+)$/m.exec(
  readFileSync(join(K8S_DIR, 'overlays/production/site.env'), 'utf8'),
)?.[1];

/** What browsers call the gateway and the identity provider in each overlay. */
const PUBLIC: Record<(typeof OVERLAYS)[number], { issuer: string; gateway: string }> = {
  // Both through kubectl port-forward (README): svc/identity 4444:4444, svc/traefik 8000:80.
  local: { issuer: 'http://localhost:4444', gateway: 'http://localhost:8000' },
  production: { issuer: `https://id.${domain}`, gateway: `https://${domain}` },
};

for (const overlay of OVERLAYS) {
  describe(`${overlay}: identity, one issuer and one internal address`, {
    skip: SKIP_WITHOUT_KUBECTL,
  }, () => {
    test('identity signs as the public issuer; forward-auth and adder-auth name the same one', () => {
      const objects = rendered(overlay);
      const identity = envOf(objects, 'identity');
      assert.equal(identity.ISSUER, PUBLIC[overlay].issuer);
      assert.equal(envOf(objects, 'forward-auth').OIDC_ISSUER, identity.ISSUER, 'forward-auth OIDC_ISSUER');
      assert.equal(envOf(objects, 'adder-auth').JWT_ISSUER, identity.ISSUER, 'adder-auth JWT_ISSUER');
    });

    test('the gateway URL forward-auth sends browsers back to is the one identity registers', () => {
      const objects = rendered(overlay);
      assert.equal(envOf(objects, 'forward-auth').PUBLIC_URL, PUBLIC[overlay].gateway);
      assert.equal(envOf(objects, 'identity').GATEWAY_PUBLIC_URL, PUBLIC[overlay].gateway);
    });

    test('the back channel reaches identity through its Service, and identity trusts the host it names', () => {
      const objects = rendered(overlay);
      const identity = envOf(objects, 'identity');
      const service = getObject<IService>(objects, 'Service', 'identity');
      const port = service.spec?.ports?.[0];
      assert.equal(port?.port, Number(identity.PORT), 'the Service port is the one identity listens on');
      const internal = `http://identity:${port?.port}`;
      assert.equal(
        envOf(objects, 'forward-auth').OIDC_INTERNAL_URL,
        internal,
        'forward-auth OIDC_INTERNAL_URL',
      );
      assert.equal(envOf(objects, 'adder-auth').JWT_JWKS_URL, `${internal}/jwks`, 'adder-auth JWT_JWKS_URL');
      // forward-auth's requests name the public host in X-Forwarded-Host; so does Traefik in production.
      assert.equal(identity.TRUST_PROXY, 'true');
    });

    if (overlay === 'local') {
      test('the issuer is the port `kubectl port-forward svc/identity 4444:4444` opens', () => {
        const objects = rendered(overlay);
        const service = getObject<IService>(objects, 'Service', 'identity');
        assert.equal(String(service.spec?.ports?.[0]?.port), new URL(PUBLIC.local.issuer).port);
      });
    }
  });
}

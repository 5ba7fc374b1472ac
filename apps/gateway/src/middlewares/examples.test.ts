/**
 * Every file in infra/gateway/examples/ runs here as written: loaded by a real gateway, every router and
 * middleware it defines is enabled (Traefik's schema test checks the same files run under Traefik).
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../testing/harness.ts';

const examples = new URL('../../../../infra/gateway/examples/', import.meta.url);
const files = readdirSync(examples).filter((name) => /\.ya?ml$/.test(name));

type Info = { name: string; status: string; error?: string[] };

describe('infra/gateway/examples load and enable everything they define', () => {
  let gw: TestGateway;
  before(async () => {
    const texts = Object.fromEntries(
      files.map((name) => [name, readFileSync(new URL(name, examples), 'utf8')]),
    );
    // An HTTPS entrypoint, so that TLS routers (tls-options.yml) have one to attach to.
    gw = await startGateway({
      files: texts,
      static: { entryPoints: { websecure: { address: '127.0.0.1:0', http: { tls: {} } } } },
    });
  });
  after(() => gw.close());

  it('has examples', () => assert.ok(files.length > 0));

  for (const kind of ['routers', 'middlewares', 'services'] as const) {
    it(`no ${kind} disabled`, async () => {
      const list = (await fetch(`${gw.admin}/api/http/${kind}`).then((r) => r.json())) as Info[];
      const bad = list
        .filter((item) => item.status !== 'enabled')
        .map((item) => `${item.name}: ${item.error}`);
      assert.deepEqual(bad, []);
    });
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadStackConfig } from './config.ts';
import { stackProcesses } from './stack.ts';

describe('the local profile binds loopback only', () => {
  const config = loadStackConfig({});
  const processes = stackProcesses(config, '/repo');

  it("binds each of the gateway's entrypoints to 127.0.0.1", () => {
    const gateway = processes.find((spec) => spec.name === 'gateway');
    assert.ok(gateway);
    const addresses = Object.fromEntries(
      gateway.args
        .map((arg) => /^--entryPoints\.(\w+)\.address=(.*)$/.exec(arg))
        .filter((match) => match !== null)
        .map((match) => [match[1], match[2]]),
    );
    assert.deepEqual(addresses, {
      web: `127.0.0.1:${config.GATEWAY_WEB_PORT}`,
      websecure: `127.0.0.1:${config.GATEWAY_WEBSECURE_PORT}`,
      traefik: `127.0.0.1:${config.GATEWAY_ADMIN_PORT}`,
    });
    // The admin API is loopback-only unless opted in; the local profile never opts in.
    assert.equal(gateway.env.GATEWAY_ADMIN_PUBLIC, undefined);
    // X.Auth.User and the other look-alikes dropped (walkthrough.test.ts sends them through the stack).
    assert.equal(gateway.env.GATEWAY_ALIAS_HEADERS_STRATEGY, 'delete');
  });

  it('tells every other process to listen on 127.0.0.1', () => {
    for (const spec of processes.filter((s) => s.name !== 'gateway')) {
      assert.equal(spec.env.HOST, '127.0.0.1', spec.name);
    }
  });
});

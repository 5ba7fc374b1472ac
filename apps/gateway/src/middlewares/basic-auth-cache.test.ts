import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

// bcrypt is the cost being cached: every call to bcryptjs' compare is counted, whoever makes it.
describe('basicAuth remembers successful verifications (bcrypt once per credentials)', () => {
  let backend: Upstream;
  let gw: TestGateway;
  const original = bcrypt.compare;
  let compares = 0;
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });
  const config = (hash: string) => `http:
  routers:
    r: {rule: "PathPrefix(\`/\`)", middlewares: [auth], service: backend}
  middlewares:
    auth:
      basicAuth:
        users: ['alice:${hash}']
  services:
    backend:
      loadBalancer:
        servers: [{url: ${backend.url}}]
`;

  before(async () => {
    bcrypt.compare = ((...args: Parameters<typeof original>) => {
      compares++;
      return original(...args);
    }) as typeof original;
    backend = await startUpstream();
    gw = await startGateway({ files: { 'auth.yml': config(bcrypt.hashSync('secret', 4)) } });
  });

  after(async () => {
    bcrypt.compare = original;
    await gw.close();
    await backend.close();
  });

  it('verifies the same good credentials with bcrypt only once', async () => {
    const start = compares;
    for (let i = 0; i < 3; i++) {
      assert.equal((await send(`${gw.web}/`, { headers: basic('alice', 'secret') })).status, 200);
    }
    assert.equal(compares - start, 1);
  });

  it('never remembers a failure: a wrong password or an unknown user costs a bcrypt compare each time', async () => {
    const start = compares;
    for (let i = 0; i < 2; i++) {
      assert.equal((await send(`${gw.web}/`, { headers: basic('alice', 'wrong') })).status, 401);
      assert.equal((await send(`${gw.web}/`, { headers: basic('mallory', 'secret') })).status, 401);
    }
    assert.equal(compares - start, 4);
  });

  it('forgets everything when the configuration is reloaded (a new hash for the user)', async () => {
    await gw.write('auth.yml', config(bcrypt.hashSync('changed', 4)));
    const reloaded = async () =>
      (await send(`${gw.web}/`, { headers: basic('alice', 'changed') })).status === 200;
    while (!(await reloaded())) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await send(`${gw.web}/`, { headers: basic('alice', 'secret') })).status, 401);
  });
});

/**
 * inFlightReq through a gateway: at most `amount` requests of one source at a time (oxy's connlimit, which
 * Traefik uses: 429 `max connections reached: <amount>`), the Host as the default source, the counts freed
 * when answers complete, and counts that start from zero after a reload, as Traefik rebuilds its middlewares.
 */

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, type Reply, startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

describe('inFlightReq', () => {
  let upstream: Upstream;
  let held: ServerResponse[] = [];
  let gw: CaseGateway;
  const configs = {
    two: { inFlightReq: { amount: 2 } },
    byHeader: { inFlightReq: { amount: 1, sourceCriterion: { requestHeaderName: 'X-Tenant' } } },
    byIp: { inFlightReq: { amount: 1, sourceCriterion: { ipStrategy: {} } } },
    zero: { inFlightReq: { amount: 0 } },
    exclusive: {
      inFlightReq: { amount: 1, sourceCriterion: { requestHost: true, requestHeaderName: 'X-A' } },
    },
  };

  before(async () => {
    // Holds every answer until the test releases it.
    upstream = await startUpstream((_req, res) => held.push(res));
    gw = await startCases(configs, { upstream });
  });
  after(async () => {
    release();
    await gw.close();
    await upstream.close();
  });

  function release(): void {
    for (const res of held) res.end('done');
    held = [];
  }
  const start = (name: string, headers: Record<string, string> = {}): Promise<Reply> =>
    gw.send(name, '/', { headers });
  const waitHeld = (count: number) => eventually(() => held.length === count);

  it('a third request of the same Host is refused while two are in flight, and passes once they end', async () => {
    const first = start('two', { host: 'a.example' });
    const second = start('two', { host: 'a.example' });
    await waitHeld(2);
    const third = await start('two', { host: 'a.example' });
    assert.equal(third.status, 429);
    assert.equal(third.body, 'max connections reached: 2');
    // Another Host is another source.
    const other = start('two', { host: 'b.example' });
    await waitHeld(3);
    release();
    assert.deepEqual(
      (await Promise.all([first, second, other])).map((r) => r.status),
      [200, 200, 200],
    );
    const again = start('two', { host: 'a.example' });
    await waitHeld(1);
    release();
    assert.equal((await again).status, 200);
  });

  it('sourceCriterion.requestHeaderName: one source per header value (no header is one source too)', async () => {
    const a = start('byHeader', { 'x-tenant': 'a' });
    await waitHeld(1);
    assert.equal((await start('byHeader', { 'x-tenant': 'a' })).status, 429);
    const b = start('byHeader', { 'x-tenant': 'b' });
    const none = start('byHeader');
    await waitHeld(3);
    assert.equal((await start('byHeader')).status, 429);
    release();
    await Promise.all([a, b, none]);
  });

  it('sourceCriterion.ipStrategy: the client address, whatever the Host', async () => {
    const a = start('byIp', { host: 'a.example' });
    await waitHeld(1);
    assert.equal((await start('byIp', { host: 'b.example' })).status, 429);
    release();
    await a;
  });

  it('amount 0 refuses every request, as in Traefik', async () => {
    assert.equal((await start('zero')).status, 429);
  });

  it('sourceCriterion fields are mutually exclusive', async () => {
    await assertRefused(gw, 'exclusive', /requestHost and RequestHeaderName are mutually exclusive/);
  });

  it('a reload starts the counts from zero (the requests in flight finish on the old chain)', async () => {
    const first = start('byHeader', { 'x-tenant': 'r' });
    await waitHeld(1);
    assert.equal((await start('byHeader', { 'x-tenant': 'r' })).status, 429);
    await gw.replace({ ...configs, extra: { inFlightReq: { amount: 5 } } });
    const second = start('byHeader', { 'x-tenant': 'r' });
    await waitHeld(2);
    release();
    assert.deepEqual(
      (await Promise.all([first, second])).map((r) => r.status),
      [200, 200],
    );
  });
});

/**
 * loadBalancer.strategy p2c, hrw and leasttime: the pickers against the cases of Traefik's
 * pkg/server/service/loadbalancer/{p2c,hrw,leasttime} tests, then through a gateway (in-flight requests,
 * response times, the client IP, sticky cookies, a reload changing the strategy).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { hashName } from './sticky.ts';
import { StrategyPicker } from './strategies.ts';

// Keyed by URLs as in a loadBalancer: hrw hashes the key (keys differing only in their last byte would hardly
// differ in FNV-1a's high bits).
const member = (i: number) => `http://10.0.0.${i + 1}:8080`;
const members = (...weights: number[]) =>
  weights.map((weight, i) => ({ key: member(i), item: `s${i}`, weight }));

/** A random source returning `values` in turn. */
const scripted = (...values: number[]) => {
  let call = 0;
  return () => values[call++] ?? 0;
};

/** Holds `count` requests in flight to `item`; the returned function ends them. */
function inFlight(picker: StrategyPicker<string>, item: string, count: number): () => void {
  const ends: (() => void)[] = [];
  for (let i = 0; i < count; i++) {
    void picker.track(item, () => new Promise<void>((resolve) => ends.push(resolve)));
  }
  return () => {
    for (const end of ends) end();
  };
}

/** Deterministic IPv4 addresses (xorshift32). */
function addresses(count: number): string[] {
  let seed = 2463534242;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % 256;
  };
  return Array.from({ length: count }, () => `${next()}.${next()}.${next()}.${next()}`);
}

describe('p2c (Traefik p2c_test.go)', () => {
  it('takes the only server without drawing', () => {
    const picker = new StrategyPicker('p2c', members(1), () => assert.fail('no draw for one server'));
    assert.equal(picker.pick(''), 's0');
  });
  it('takes the first drawn of two with nothing in flight', () => {
    assert.equal(new StrategyPicker('p2c', members(1, 1), scripted(1, 0)).pick(''), 's1');
  });
  it('takes the one of the two with fewer requests in flight', () => {
    const picker = new StrategyPicker('p2c', members(1, 1), scripted(1, 0));
    inFlight(picker, 's1', 1);
    assert.equal(picker.pick(''), 's0');
  });
  it('draws the next server when both draws are equal', () => {
    const picker = new StrategyPicker('p2c', members(1, 1, 1), scripted(1, 1));
    inFlight(picker, 's0', 10);
    inFlight(picker, 's1', 90);
    inFlight(picker, 's2', 40);
    assert.equal(picker.pick(''), 's2');
  });
  it('forgets a request once it ends, ignores weights, skips servers that are down', async () => {
    const picker = new StrategyPicker('p2c', members(0, 1), scripted(0, 1, 0, 1, 0, 1));
    const end = inFlight(picker, 's0', 1);
    assert.equal(picker.pick(''), 's1');
    end();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(picker.pick(''), 's0', 'weight 0 is still picked by p2c');
    picker.setUp(member(0), false);
    assert.equal(picker.pick(''), 's1');
    picker.setUp(member(1), false);
    assert.equal(picker.pick(''), undefined);
  });
});

describe('hrw (Traefik hrw_test.go)', () => {
  it('splits clients by weight (4:1 → 80 ± 10 of 100)', () => {
    const picker = new StrategyPicker('hrw', members(4, 1));
    const counts = { s0: 0, s1: 0 };
    for (const ip of addresses(100)) counts[picker.pick(ip) as 's0' | 's1']++;
    assert.ok(Math.abs(counts.s0 - 80) <= 10, `s0 got ${counts.s0}`);
  });
  it('keeps a client on its server; only the clients of a server going down move', () => {
    const picker = new StrategyPicker('hrw', members(1, 1, 1, 1));
    const ips = addresses(200);
    const before = ips.map((ip) => picker.pick(ip));
    assert.deepEqual(
      ips.map((ip) => picker.pick(ip)),
      before,
    );
    for (const server of ['s0', 's1', 's2', 's3'])
      assert.ok(before.filter((s) => s === server).length > 25, `${server} gets about a quarter`);
    picker.setUp(member(3), false);
    const after = ips.map((ip) => picker.pick(ip));
    ips.forEach((_, i) => {
      if (before[i] === 's3') assert.notEqual(after[i], 's3');
      else assert.equal(after[i], before[i]);
    });
    picker.setUp(member(3), true);
    assert.deepEqual(
      ips.map((ip) => picker.pick(ip)),
      before,
    );
  });
  it('never picks a server of weight 0; none left → none', () => {
    const picker = new StrategyPicker('hrw', members(1, 0));
    for (const ip of addresses(20)) assert.equal(picker.pick(ip), 's0');
    assert.equal(new StrategyPicker('hrw', members(0, 0)).pick('1.2.3.4'), undefined);
  });
});

describe('leasttime (Traefik leasttime_test.go)', () => {
  it('shares by weight while nothing is known (earliest deadline first)', () => {
    const count = (picker: StrategyPicker<string>, picks: number) =>
      Array.from({ length: picks }, () => picker.pick('')).filter((s) => s === 's0').length;
    const even = count(new StrategyPicker('leasttime', members(1, 1)), 30);
    assert.ok(even >= 14 && even <= 16, `s0 got ${even} of 30`);
    const weighted = count(new StrategyPicker('leasttime', members(2, 1)), 30);
    assert.ok(weighted >= 19 && weighted <= 21, `s0 got ${weighted} of 30`);
  });
  it('prefers the lowest average time × (1 + in flight) / weight', () => {
    const picker = new StrategyPicker('leasttime', members(1, 1));
    picker.answered('s0', 10.9); // 10 ms: whole milliseconds
    picker.answered('s1', 50);
    assert.equal(picker.pick(''), 's0');
    const end = inFlight(picker, 's0', 5); // 10 × 6 = 60 > 50
    assert.equal(picker.pick(''), 's1');
    end();
  });
  it('averages the last 100 answers only', () => {
    const picker = new StrategyPicker('leasttime', members(1, 1));
    for (let i = 0; i < 100; i++) picker.answered('s0', 1000);
    picker.answered('s1', 20);
    assert.equal(picker.pick(''), 's1');
    for (let i = 0; i < 100; i++) picker.answered('s0', 10);
    assert.equal(picker.pick(''), 's0');
  });
  it('skips servers that are down or of weight 0', () => {
    const picker = new StrategyPicker('leasttime', members(1, 0, 1));
    picker.setUp(member(2), false);
    for (let i = 0; i < 3; i++) assert.equal(picker.pick(''), 's0');
    picker.setUp(member(0), false);
    assert.equal(picker.pick(''), undefined);
  });
});

describe('loadBalancer.strategy through a gateway', { timeout: 30_000 }, () => {
  let a: Upstream;
  let b: Upstream;
  let slow: Upstream;
  let gw: TestGateway;
  const held: (() => void)[] = [];

  const config = (strategy: string) => `http:
  routers:
    pick: {rule: "PathPrefix(\`/pick\`)", service: pick}
    time: {rule: "PathPrefix(\`/time\`)", service: time}
    sticky: {rule: "PathPrefix(\`/sticky\`)", service: sticky}
  services:
    pick:
      loadBalancer:
        strategy: ${strategy}
        servers: [{url: "${a.url}"}, {url: "${b.url}"}]
    time:
      loadBalancer:
        strategy: leasttime
        servers: [{url: "${slow.url}"}, {url: "${b.url}"}]
    sticky:
      loadBalancer:
        strategy: p2c
        servers: [{url: "${a.url}"}, {url: "${b.url}"}]
        sticky: {cookie: {name: pin}}
`;

  before(async () => {
    // `a` holds requests to /pick/hold until the test lets them go.
    a = await startUpstream((req, res) => {
      if (req.url?.includes('hold')) held.push(() => res.end('a'));
      else res.end('a');
    });
    b = await startUpstream((_req, res) => res.end('b'));
    slow = await startUpstream((_req, res) => setTimeout(() => res.end('slow'), 40));
    gw = await startGateway({ files: { 'strategy.yml': config('p2c') } });
  });
  after(async () => {
    for (const release of held) release();
    await gw?.close();
    await Promise.all([a?.close(), b?.close(), slow?.close()]);
  });

  it('p2c sends requests away from a server with a request in flight', async () => {
    // Until a request is held by `a` the draws may pick either server; `b` answers at once.
    const pending: Promise<unknown>[] = [];
    while (held.length === 0) {
      const reply = send(`${gw.web}/pick/hold`);
      pending.push(reply);
      await Promise.race([reply, eventually(() => held.length > 0)]);
    }
    for (let i = 0; i < 6; i++) assert.equal((await send(`${gw.web}/pick`)).body, 'b');
    for (const release of held.splice(0)) release();
    await Promise.all(pending);
  });

  it('leasttime moves to the server that answers faster once timed', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push((await send(`${gw.web}/time`)).body);
    // Nothing known: one each, then the fast one only.
    assert.deepEqual(bodies.slice(0, 2).sort(), ['b', 'slow']);
    assert.deepEqual(bodies.slice(2), ['b', 'b', 'b', 'b']);
  });

  it('a sticky cookie wins over the strategy', async () => {
    const reply = await send(`${gw.web}/sticky`);
    const server = reply.body === 'a' ? a.url : b.url;
    assert.equal(reply.headers['set-cookie'], `pin=${hashName(server)}; Path=/`);
    for (let i = 0; i < 4; i++) {
      const again = await send(`${gw.web}/sticky`, { headers: { cookie: `pin=${hashName(server)}` } });
      assert.equal(again.body, reply.body);
    }
  });

  it('hrw after a reload: one client stays on one server', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write('strategy.yml', config('hrw'));
    await reloaded;
    const first = (await send(`${gw.web}/pick`)).body;
    for (let i = 0; i < 8; i++) assert.equal((await send(`${gw.web}/pick`)).body, first);
  });
});

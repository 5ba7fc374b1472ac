import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ChildGateway, startChildGateway } from './child-gateway.ts';
import { tokenAuth } from './fixtures.ts';
import { quantile, runAtRate } from './load.ts';

// A soak at a fixed rate through forwardAuth: no request may fail, and the gateway's memory must level off
// after warm-up (a leak per request, such as a listener or a pooled object never released, shows as steady
// growth). GATEWAY_SOAK_SECONDS sets the length (30 s by default, to fit the CI budget; 60 s or more for a
// real soak; 10 s at least) and GATEWAY_SOAK_RPS the rate (200/s).

// 10 s at least: fewer leave too few memory samples after warm-up.
const seconds = Math.max(10, Number(process.env.GATEWAY_SOAK_SECONDS ?? 30));
const rps = Number(process.env.GATEWAY_SOAK_RPS ?? 200);
const MB = 1024 * 1024;

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

describe(`soak: ${seconds} s at ${rps} requests/s through forwardAuth`, () => {
  let auth: Awaited<ReturnType<typeof listen>>;
  let backend: Awaited<ReturnType<typeof listen>>;
  let gateway: ChildGateway;

  before(async () => {
    auth = await listen(tokenAuth);
    backend = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'soak', user: req.headers['x-auth-user'] ?? null }));
    });
    gateway = await startChildGateway({
      heapProbe: true,
      files: {
        'soak.yml': `http:
  routers:
    app:
      rule: PathPrefix(\`/app\`)
      service: app
      middlewares: [auth, strip]
  middlewares:
    auth:
      forwardAuth:
        address: ${auth.url}/auth
        authResponseHeaders: [X-Auth-User]
    strip:
      stripPrefix:
        prefixes: [/app]
  services:
    app:
      loadBalancer:
        servers:
          - url: ${backend.url}
`,
      },
    });
  });
  after(async () => {
    await gateway?.close();
    auth?.server.closeAllConnections();
    auth?.server.close();
    backend?.server.closeAllConnections();
    backend?.server.close();
  });

  it('answers every request, and its memory levels off after warm-up', {
    timeout: (seconds + 60) * 1000,
  }, async (t) => {
    const rssSamples: Array<{ at: number; bytes: number }> = [];
    const liveSamples: Array<{ at: number; bytes: number }> = [];
    let probing = Promise.resolve();
    const liveEvery = seconds >= 30 ? 3 : 1;
    const result = await runAtRate({
      url: `${gateway.url('web')}/app/items`,
      rps,
      durationMs: seconds * 1000,
      headers: { authorization: 'Bearer foobar' },
      onTick: (at) => {
        probing = probing.then(async () => {
          rssSamples.push({ at, bytes: await gateway.rss() });
          // A full collection every few seconds: often enough to see a trend, rare enough not to weigh on the run.
          if (Math.round(at / 1000) % liveEvery === 0)
            liveSamples.push({ at, bytes: await gateway.liveAfterGc() });
        });
      },
    });
    await probing;
    const expected = Math.ceil(seconds * rps);
    t.diagnostic(
      `${result.sent} requests, statuses ${JSON.stringify(result.statuses)}, errors ${JSON.stringify(result.errors)}; ` +
        `latency from due time p50 ${quantile(result.latencies, 0.5).toFixed(1)} ms, p99 ${quantile(result.latencies, 0.99).toFixed(1)} ms, max ${Math.max(...result.latencies).toFixed(1)} ms`,
    );
    assert.equal(result.sent, expected);
    assert.deepEqual(result.failures.slice(0, 10), []);
    assert.equal(result.statuses[200], expected);

    const mb = (bytes: number) => (bytes / MB).toFixed(1);
    t.diagnostic(
      `live memory after GC (s:MB): ${liveSamples.map((s) => `${Math.round(s.at / 1000)}:${mb(s.bytes)}`).join(' ')}`,
    );
    t.diagnostic(
      `RSS (s:MB): ${rssSamples.map((s) => `${Math.round(s.at / 1000)}:${mb(s.bytes)}`).join(' ')}`,
    );
    // Warm-up: the first sixth of the run, at least 3 s. Early: the first 3 live-memory samples after it; late: the last 3.
    const warm = Math.max(3000, (seconds * 1000) / 6);
    const steady = liveSamples.filter((s) => s.at >= warm).map((s) => s.bytes);
    assert.ok(steady.length >= 5, `${steady.length} live-memory samples after warm-up`);
    const early = median(steady.slice(0, 3));
    const late = median(steady.slice(-3));
    t.diagnostic(`live memory ${mb(early)} MB after warm-up, ${mb(late)} MB at the end`);
    // Live memory (heap and Buffers) varies by well under 1 MB between samples here; 2.5 MB of growth catches a
    // leak of 1 kB per request (3.6 MB between the early and late samples of a 30 s run at 200/s), and longer
    // runs catch smaller leaks.
    assert.ok(late - early < 2.5 * MB, `live memory ${mb(early)} → ${mb(late)} MB`);
    // The resident size mostly shows V8 growing its heap reservation; it must still stay modest.
    const rssLate = rssSamples.at(-1)?.bytes ?? 0;
    assert.ok(rssLate < 512 * MB, `RSS ${mb(rssLate)} MB`);
  });
});

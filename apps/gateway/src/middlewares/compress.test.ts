/**
 * compress through a gateway, against the cases of Traefik's `pkg/middlewares/compress/compress_test.go`
 * (negotiation, content types, Content-Encoding, HEAD, minResponseBodyBytes, Vary) and its config refusals.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from 'node:zlib';
import { request } from 'undici';
import { startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const body = (size: number) => Buffer.from('a'.repeat(size));

const decode = (encoding: string | undefined, data: Buffer): Buffer => {
  if (encoding === 'gzip') return gunzipSync(data);
  if (encoding === 'br') return brotliDecompressSync(data);
  if (encoding === 'zstd') return zstdDecompressSync(data);
  return data;
};

describe("compress: Traefik's cases", () => {
  let upstream: Upstream;
  let gw: CaseGateway;
  before(async () => {
    // Answers `x-size` bytes, with the response headers the request asks for in `x-respond-<name>`; with
    // `x-chunked`, no Content-Length; with `x-pause`, the second half comes that many ms later.
    upstream = await startUpstream(async (req, res) => {
      const data = body(Number(req.headers['x-size'] ?? 10));
      for (const [name, value] of Object.entries(req.headers)) {
        if (name.startsWith('x-respond-')) res.setHeader(name.slice('x-respond-'.length), String(value));
      }
      if (!req.headers['x-chunked']) res.setHeader('content-length', data.length);
      const pause = Number(req.headers['x-pause'] ?? 0);
      if (pause > 0) {
        res.write(data.subarray(0, data.length / 2));
        await sleep(pause);
        res.end(data.subarray(data.length / 2));
      } else res.end(req.method === 'HEAD' ? undefined : data);
    });
    gw = await startCases(
      {
        min1: { compress: { minResponseBodyBytes: 1 } },
        defaults: { compress: {} },
        excludeSse: { compress: { excludedContentTypes: ['text/event-stream'] } },
        includePlain: { compress: { includedContentTypes: ['text/plain'] } },
        includeHtml: { compress: { includedContentTypes: ['text/html'] } },
        excludeJson: { compress: { excludedContentTypes: ['application/json'] } },
        includeJson: { compress: { includedContentTypes: ['application/json'] } },
        big: { compress: { minResponseBodyBytes: 100001 } },
        brDefault: {
          compress: { encodings: ['br', 'gzip'], defaultEncoding: 'br', minResponseBodyBytes: 1 },
        },
        gzipDefault: { compress: { defaultEncoding: 'gzip', minResponseBodyBytes: 1 } },
        both: { compress: { excludedContentTypes: ['a/b'], includedContentTypes: ['c/d'] } },
        noEncodings: { compress: { encodings: [] } },
        unknownEncoding: { compress: { encodings: ['gzip', 'deflate'] } },
        badDefault: { compress: { encodings: ['gzip'], defaultEncoding: 'br' } },
        badType: { compress: { excludedContentTypes: ['not a type'] } },
      },
      { upstream },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function get(
    name: string,
    headers: Record<string, string> = {},
    method = 'GET',
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; data: Buffer }> {
    const response = await request(`${gw.gw.web}/`, {
      method: method as 'GET',
      headers: { ...headers, 'x-case': name },
    });
    const data = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, headers: response.headers, data };
  }

  describe('negotiation (10-byte answers, minResponseBodyBytes 1)', () => {
    for (const [accept, expected] of [
      [undefined, undefined],
      ['notreal', undefined],
      ['*', undefined],
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['br;q=0.8, gzip;q=0.6', 'br'],
      ['gzip;q=1.0, br;q=0.8', 'gzip'],
      ['gzip, br', 'gzip'],
      ['zstd', 'zstd'],
      ['zstd;q=0.9, br;q=0.8, gzip;q=0.6', 'zstd'],
      ['gzip;q=0.8, br;q=1.0, zstd;q=0.7', 'br'],
      ['gzip;q=1.0, br;q=0.8, zstd;q=0.7', 'gzip'],
      ['gzip, br, zstd', 'gzip'],
      ['gzip;q=0, br', 'br'],
    ] as const) {
      it(`Accept-Encoding ${accept ?? '(none)'} → ${expected ?? 'not compressed'}`, async () => {
        const reply = await get('min1', accept === undefined ? {} : { 'accept-encoding': accept });
        assert.equal(reply.headers['content-encoding'], expected);
        assert.deepEqual(decode(expected, reply.data), body(10));
      });
    }

    it('defaultEncoding: used without Accept-Encoding and for *', async () => {
      for (const headers of [{}, { 'accept-encoding': '*' }] as Record<string, string>[]) {
        const reply = await get('brDefault', headers);
        assert.equal(reply.headers['content-encoding'], 'br');
        assert.deepEqual(decode('br', reply.data), body(10));
      }
    });

    it("defaultEncoding gzip compresses nothing the request did not ask gzip for (klauspost's gzhttp)", async () => {
      assert.equal((await get('gzipDefault')).headers['content-encoding'], undefined);
    });
  });

  it('compresses without Content-Encoding: gzip, Vary, no Content-Length, the body decodes', async () => {
    const reply = await get('defaults', { 'accept-encoding': 'gzip', 'x-size': '1024' });
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.equal(reply.headers.vary, 'Accept-Encoding');
    assert.equal(reply.headers['content-length'], undefined);
    assert.deepEqual(gunzipSync(reply.data), body(1024));
  });

  it("does not compress what is already encoded; the backend's Vary is kept", async () => {
    const reply = await get('defaults', {
      'accept-encoding': 'gzip',
      'x-size': '1024',
      'x-respond-content-encoding': 'gzip',
      'x-respond-vary': 'Accept-Encoding',
    });
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.equal(reply.headers.vary, 'Accept-Encoding');
    assert.deepEqual(reply.data, body(1024));
  });

  for (const [desc, headers] of [
    ['no Accept-Encoding', {}],
    ['an empty Accept-Encoding', { 'accept-encoding': '' }],
    ['Accept-Encoding: identity', { 'accept-encoding': 'identity' }],
  ] as const) {
    it(`${desc}: not compressed, no Vary`, async () => {
      const reply = await get('defaults', { ...headers, 'x-size': '1024' });
      assert.equal(reply.headers['content-encoding'], undefined);
      assert.equal(reply.headers.vary, undefined);
      assert.deepEqual(reply.data, body(1024));
      assert.equal(
        gw.lastReceived()?.headers['accept-encoding'],
        headers['accept-encoding' as keyof typeof headers],
      );
    });
  }

  it('HEAD: not compressed, no Vary', async () => {
    const reply = await get('defaults', { 'accept-encoding': 'gzip', 'x-size': '1024' }, 'HEAD');
    assert.equal(reply.headers['content-encoding'], undefined);
    assert.equal(reply.headers.vary, undefined);
  });

  for (const [desc, name, headers] of [
    ['excluded request Content-Type', 'excludeSse', { 'content-type': 'text/event-stream' }],
    ['excluded response Content-Type', 'excludeSse', { 'x-respond-content-type': 'text/event-stream' }],
    ['response Content-Type not included', 'includePlain', { 'x-respond-content-type': 'text/html' }],
    [
      'application/grpc requests, with excludedContentTypes',
      'excludeJson',
      { 'content-type': 'application/grpc' },
    ],
    [
      'application/grpc requests, with includedContentTypes',
      'includeJson',
      { 'content-type': 'application/grpc' },
    ],
    ['application/grpc requests, no option', 'defaults', { 'content-type': 'application/grpc' }],
    ['an unparsable response Content-Type', 'defaults', { 'x-respond-content-type': 'not a type' }],
    ['an answer below minResponseBodyBytes (Content-Length)', 'defaults', { 'x-size': '1023' }],
    ['an answer below minResponseBodyBytes (chunked)', 'defaults', { 'x-size': '1023', 'x-chunked': '1' }],
    ['100000 bytes with minResponseBodyBytes 100001', 'big', { 'x-size': '100000' }],
  ] as const) {
    it(`not compressed: ${desc}`, async () => {
      const size = Number((headers as Record<string, string>)['x-size'] ?? 1024);
      const reply = await get(name, { 'accept-encoding': 'gzip', 'x-size': String(size), ...headers });
      assert.equal(reply.headers['content-encoding'], undefined);
      assert.deepEqual(reply.data, body(size));
    });
  }

  for (const [desc, name, headers] of [
    [
      'an included response Content-Type',
      'includeHtml',
      { 'x-respond-content-type': 'text/html; charset=utf-8' },
    ],
    ['100000 bytes with the default minimum', 'defaults', { 'x-size': '100000' }],
    [
      'a chunked answer once it passes minResponseBodyBytes',
      'defaults',
      { 'x-size': '5000', 'x-chunked': '1' },
    ],
  ] as const) {
    it(`compressed: ${desc}`, async () => {
      const size = Number((headers as Record<string, string>)['x-size'] ?? 1024);
      const reply = await get(name, { 'accept-encoding': 'gzip', 'x-size': String(size), ...headers });
      assert.equal(reply.headers['content-encoding'], 'gzip');
      assert.equal(reply.headers.vary, 'Accept-Encoding');
      assert.deepEqual(gunzipSync(reply.data), body(size));
    });
  }

  it('a streamed answer is flushed as it goes: the first part arrives before the backend ends', async () => {
    const started = performance.now();
    const response = await request(`${gw.gw.web}/`, {
      headers: {
        'x-case': 'defaults',
        'accept-encoding': 'gzip',
        'x-size': '4000',
        'x-chunked': '1',
        'x-pause': '600',
      },
    });
    const reader = response.body[Symbol.asyncIterator]();
    const first = await reader.next();
    assert.ok(
      !first.done && performance.now() - started < 450,
      'the first compressed bytes come before the pause ends',
    );
    const chunks = [first.value as Buffer];
    for (let next = await reader.next(); !next.done; next = await reader.next())
      chunks.push(next.value as Buffer);
    assert.deepEqual(gunzipSync(Buffer.concat(chunks)), body(4000));
  });

  for (const [name, error] of [
    ['both', /excludedContentTypes and includedContentTypes options are mutually exclusive/],
    ['noEncodings', /at least one encoding must be specified/],
    ['unknownEncoding', /unsupported encoding: deflate/],
    ['badDefault', /unsupported default encoding: br/],
    ['badType', /parsing excluded media type/],
  ] as const) {
    it(`refused at load: ${name}`, async () => {
      await assertRefused(gw, name, error);
    });
  }
});

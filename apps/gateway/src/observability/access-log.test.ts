import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { Agent, request } from 'undici';
import { type AccessLogConfig, parseStaticConfig } from '../config/static.ts';
import { loadStaticConfig } from '../config/static-sources.ts';
import { Exchange } from '../http/exchange.ts';
import { closedPort, send, startGateway, startUpstream } from '../testing/harness.ts';
import { createAccessLog } from './access-log.ts';
import { batchedSink } from './access-log-file.ts';
import { lineFilter, parseStatusRange } from './access-log-filters.ts';

/** Serves one request, letting `handle` answer it, and returns the lines each access log wrote for it. */
async function logOnce(
  configs: readonly AccessLogConfig[],
  handle: (exchange: Exchange) => void | Promise<void>,
  headers: Record<string, string | string[]> = {},
): Promise<string[]> {
  const lines: string[] = [];
  const logs = configs.map((config) => createAccessLog(config, { write: (line) => lines.push(line) }));
  const server = createServer();
  const closed = new Promise<void>((resolve) => {
    server.once('request', (req, res) => {
      const exchange = new Exchange(req, res, { entryPoint: 'web', tls: false });
      res.once('close', () => {
        for (const log of logs) log.record(exchange);
        resolve();
      });
      void handle(exchange);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const response = await request(`http://127.0.0.1:${port}/some/path?q=1`, { headers });
  await response.body.dump();
  await closed;
  server.close();
  return lines;
}

const json = (line: string | undefined) => JSON.parse(line ?? 'null') as Record<string, unknown>;

/** A line without what depends on when it was written. */
const withoutTime = (line: string | undefined) => {
  const { time, Duration, Overhead, ...rest } = json(line);
  assert.match(String(time), /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof Duration, 'number');
  assert.equal(typeof Overhead, 'number');
  return rest;
};

const secrets = {
  authorization: 'Bearer secret-token',
  cookie: 'session=secret-cookie',
  'user-agent': 'probe',
};

describe('access log: fields', () => {
  it('writes the same JSON line on its planned path as on the one that walks every header, keys sorted', async () => {
    const [planned, walked] = await logOnce(
      [
        { format: 'json' },
        // Headers kept by default, each one dropped by name: every header is looked at, none written.
        {
          format: 'json',
          fields: {
            headers: {
              defaultMode: 'keep',
              names: { 'User-Agent': 'drop', Host: 'drop', Connection: 'drop' },
            },
          },
        },
      ],
      (exchange) => {
        exchange.log.RouterName = 'r@file';
        exchange.log.ClientUsername = 'alice';
        exchange.sendText(201, 'made');
      },
      { 'user-agent': 'test "agent"' },
    );
    const parsed = withoutTime(planned);
    const other = withoutTime(walked);
    for (const key of Object.keys(other)) if (key.startsWith('downstream_')) delete other[key];
    assert.deepEqual(parsed, other);
    const keys = Object.keys(json(planned));
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(parsed.RouterName, 'r@file');
    assert.equal(parsed.ServiceName, undefined, 'an unset field is left out');
    assert.equal(parsed.ClientUsername, 'alice');
    assert.equal(parsed.DownstreamStatus, 201);
    assert.equal(parsed.DownstreamContentSize, 4);
    assert.equal(parsed.RequestPath, '/some/path?q=1');
    assert.equal(parsed.RetryAttempts, 0);
    assert.equal(parsed.TLSVersion, undefined, 'not a TLS request');
    assert.equal(parsed.level, 'info');
    assert.equal(parsed.msg, '');
    assert.match(String(parsed.StartLocal), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('keeps every field by default, and drops by name, whatever the case of the name', async () => {
    const [all, some, none] = await logOnce(
      [
        { format: 'json' },
        { format: 'json', fields: { names: { StartLocal: 'drop', clientusername: 'drop' } } },
        {
          format: 'json',
          fields: { defaultMode: 'drop', names: { RequestPath: 'keep', DOWNSTREAMSTATUS: 'keep' } },
        },
      ],
      (exchange) => exchange.sendText(200, 'ok'),
    );
    for (const field of ['StartUTC', 'StartLocal', 'ClientUsername', 'RequestHost', 'entryPointName']) {
      assert.ok(field in json(all), field);
    }
    assert.equal(json(some).StartLocal, undefined);
    assert.equal(json(some).ClientUsername, undefined);
    assert.ok(json(some).StartUTC !== undefined);
    assert.deepEqual(Object.keys(json(none)), ['DownstreamStatus', 'RequestPath', 'level', 'msg', 'time']);
    assert.equal(json(none).RequestPath, '/some/path?q=1');
  });

  it('drops headers by default, so Authorization and Cookie never appear', async () => {
    const [line] = await logOnce([{ format: 'json' }], (exchange) => exchange.sendText(200, 'ok'), secrets);
    assert.ok(line !== undefined);
    assert.equal(Object.keys(json(line)).filter((key) => key.includes('_')).length, 0);
    assert.doesNotMatch(line, /secret/);
  });

  it('redacts named headers as REDACTED, with the other headers kept, dropped or redacted by default', async () => {
    const redact = { Authorization: 'redact', cookie: 'redact' } as const;
    const lines = await logOnce(
      [
        { format: 'json', fields: { headers: { names: { ...redact, 'User-Agent': 'keep' } } } },
        { format: 'json', fields: { headers: { defaultMode: 'keep', names: redact } } },
        { format: 'json', fields: { headers: { defaultMode: 'redact' } } },
        { format: 'json', fields: { headers: { defaultMode: 'keep', names: { Authorization: 'drop' } } } },
      ],
      (exchange) => {
        exchange.onResponseHeaders((head) => {
          head.headers['set-cookie'] = ['a=1', 'b=2'];
        });
        exchange.sendText(200, 'ok');
      },
      secrets,
    );
    const [named, kept, allRedacted, dropped] = lines.map(json);
    for (const line of lines.slice(0, 3)) assert.doesNotMatch(line, /secret/);
    assert.equal(named?.request_Authorization, 'REDACTED');
    assert.equal(named?.request_Cookie, 'REDACTED');
    assert.equal(named?.['request_User-Agent'], 'probe');
    assert.equal(named?.['downstream_Set-Cookie'], undefined, 'dropped by default');
    assert.equal(kept?.request_Authorization, 'REDACTED');
    assert.equal(kept?.request_Cookie, 'REDACTED');
    assert.equal(kept?.['request_User-Agent'], 'probe');
    assert.equal(kept?.['downstream_Set-Cookie'], 'a=1,b=2', 'values joined with a comma, as Traefik does');
    assert.equal(kept?.['downstream_Content-Type'], 'text/plain; charset=utf-8');
    assert.equal(allRedacted?.['request_User-Agent'], 'REDACTED');
    assert.equal(allRedacted?.['downstream_Set-Cookie'], 'REDACTED');
    assert.equal(dropped?.request_Authorization, undefined);
    assert.equal(dropped?.request_Cookie, 'session=secret-cookie');
  });

  it('redacts Authorization and Cookie in the local profile (infra/gateway/gateway.yml), even with headers kept', async () => {
    const { config } = await loadStaticConfig({
      argv: ['--configFile', join(import.meta.dirname, '../../../../infra/gateway/gateway.yml')],
      env: {},
      cwd: '/',
    });
    const local = config.accessLog;
    assert.ok(local !== undefined);
    const keptToo = {
      ...local,
      fields: { ...local.fields, headers: { ...local.fields?.headers, defaultMode: 'keep' } },
    };
    const lines = await logOnce(
      [local, keptToo as AccessLogConfig],
      (exchange) => exchange.sendText(200, 'ok', { 'set-cookie': 'sid=secret-session' }),
      secrets,
    );
    for (const line of lines) {
      assert.doesNotMatch(line, /secret/);
      assert.equal(json(line).request_Authorization, 'REDACTED');
      assert.equal(json(line).request_Cookie, 'REDACTED');
      assert.equal(json(line)['downstream_Set-Cookie'], 'REDACTED');
    }
    assert.equal(json(lines[0])['request_User-Agent'], undefined, 'other headers dropped');
    assert.equal(json(lines[1])['request_User-Agent'], 'probe');
  });

  it('writes TLSVersion, TLSCipher and the client certificate subject as Go writes it (TLSClientSubject)', async () => {
    const certificate = async (attrs: { name: string; value: string }[]) => {
      const pems = await generate(attrs, { keyType: 'ec', curve: 'P-256' });
      return { cert: pems.cert, key: pems.private };
    };
    const serverPems = await certificate([{ name: 'commonName', value: 'localhost' }]);
    const clientPems = await certificate([
      { name: 'countryName', value: 'FR' },
      { name: 'organizationName', value: 'A;B' },
      { name: 'commonName', value: 'alice' },
    ]);
    const lines: string[] = [];
    const log = createAccessLog({ format: 'json' }, { write: (line) => lines.push(line) });
    const server = createHttpsServer(
      { ...serverPems, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const exchange = new Exchange(req, res, { entryPoint: 'websecure', tls: true });
        res.once('close', () => log.record(exchange));
        exchange.sendText(200, 'ok');
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const dispatcher = new Agent({ connect: { ...clientPems, rejectUnauthorized: false } });
    try {
      const response = await request(`https://127.0.0.1:${port}/`, { dispatcher });
      await response.body.dump();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await dispatcher.close();
      server.close();
    }
    const line = json(lines[0]);
    assert.equal(line.RequestScheme, 'https');
    assert.equal(line.TLSVersion, '1.3');
    assert.match(String(line.TLSCipher), /^TLS_AES_\d+_GCM_SHA\d+$|^TLS_CHACHA20/);
    assert.equal(line.TLSClientSubject, 'CN=alice,O=A\\;B,C=FR');
  });

  it('joins a request header sent on several lines with a comma', async () => {
    const [line] = await logOnce(
      [{ format: 'json', fields: { headers: { names: { 'X-Multi': 'keep' } } } }],
      (exchange) => exchange.sendText(200, 'ok'),
      { 'x-multi': ['one', 'two'] },
    );
    assert.equal(json(line)['request_X-Multi'], 'one,two');
  });

  it('leaves the query out of RequestPath when queryParameters are dropped', async () => {
    const [line] = await logOnce(
      [{ format: 'json', fields: { queryParameters: { defaultMode: 'drop' } } }],
      (exchange) => exchange.sendText(200, 'ok'),
    );
    assert.equal(json(line).RequestPath, '/some/path');
  });
});

describe('access log: common and genericCLF (Traefik logger_test.go cases)', () => {
  const clf =
    /^127\.0\.0\.1 - - \[(\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000)\] "GET \/some\/path\?q=1 HTTP\/1\.1" 200 2 (.*)\n$/;

  it('writes referer and agent only when the header fields keep them, the time in UTC', async () => {
    const agent = { 'user-agent': 'curl "x"', referer: 'http://from/' };
    const [plain, kept, redacted, generic] = await logOnce(
      [
        { format: 'common' },
        { format: 'common', fields: { headers: { defaultMode: 'keep' } } },
        { format: 'common', fields: { headers: { defaultMode: 'keep', names: { Referer: 'redact' } } } },
        { format: 'genericCLF', fields: { headers: { defaultMode: 'keep' } } },
      ],
      (exchange) => {
        exchange.log.RouterName = 'app@file';
        exchange.log.ServiceURL = 'http://127.0.0.1:9/';
        exchange.sendText(200, 'ok');
      },
      agent,
    );
    assert.match(plain ?? '', clf);
    assert.match(plain ?? '', / 200 2 "-" "-" \d+ "app@file" "http:\/\/127\.0\.0\.1:9\/" \d+ms\n$/);
    assert.match(kept ?? '', / 200 2 "http:\/\/from\/" "curl \\"x\\"" \d+ "app@file" /);
    assert.match(redacted ?? '', / 200 2 "REDACTED" "curl \\"x\\"" /);
    assert.match(generic ?? '', / 200 2 "http:\/\/from\/" "curl \\"x\\""\n$/);
    const time = clf.exec(plain ?? '')?.[1] ?? '';
    const now = new Date();
    assert.ok(time.startsWith(String(now.getUTCDate()).padStart(2, '0')), time);
  });

  it('shows a dropped field as "-", and the local time when only StartLocal is kept', async () => {
    const [none, local] = await logOnce(
      [
        { format: 'common', fields: { defaultMode: 'drop', names: { ClientUsername: 'keep' } } },
        { format: 'common', fields: { names: { StartUTC: 'drop' } } },
      ],
      (exchange) => exchange.sendText(200, 'ok'),
    );
    assert.equal(none, '- - - [-] "- - -" - - "-" "-" - "-" "-" 0ms\n');
    assert.match(local ?? '', /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] /);
  });
});

describe('access log: filters', () => {
  it('reads status codes and ranges as Traefik does, and refuses what is not one', () => {
    assert.deepEqual(parseStatusRange('404'), [404, 404]);
    assert.deepEqual(parseStatusRange('400-499'), [400, 499]);
    assert.match(String(parseStatusRange('4xx')), /expected a status code or a range/);
    assert.match(String(parseStatusRange('400-499-500')), /expected/);
    assert.match(String(parseStatusRange('500-400')), /is empty/);
    assert.throws(
      () => parseStaticConfig({ accessLog: { filters: { statusCodes: ['200', 'abc'] } } }),
      /accessLog\.filters\.statusCodes\[1\]: expected a status code/,
    );
  });

  it('keeps a line when any filter keeps it (status, retries, minDuration), and every line without filters', () => {
    const ms = 1_000_000n;
    assert.equal(lineFilter(undefined), undefined);
    assert.equal(
      lineFilter({ statusCodes: [], retryAttempts: false }),
      undefined,
      'empty filters: no filter',
    );
    const status = lineFilter({ statusCodes: ['200', '300-302'] });
    assert.deepEqual(
      [200, 201, 300, 302, 303, 500].map((code) => status?.(code, 0, 0n)),
      [true, false, true, true, false, false],
    );
    const retries = lineFilter({ retryAttempts: true });
    assert.equal(retries?.(200, 0, 0n), false);
    assert.equal(retries?.(200, 1, 0n), true);
    const slow = lineFilter({ minDuration: 10 });
    assert.equal(slow?.(200, 0, 10n * ms), false, 'longer than minDuration, not equal');
    assert.equal(slow?.(200, 0, 10n * ms + 1n), true);
    const any = lineFilter({ statusCodes: ['500-599'], retryAttempts: true, minDuration: 10 });
    assert.equal(any?.(200, 0, ms), false);
    assert.equal(any?.(503, 0, ms), true);
    assert.equal(any?.(200, 2, ms), true);
    assert.equal(any?.(200, 0, 11n * ms), true);
  });

  it('logs slow requests only with minDuration, and 4xx only with statusCodes 400-499', async () => {
    const config: AccessLogConfig = { format: 'json', filters: { minDuration: 60 } };
    const fast = await logOnce([config], (exchange) => exchange.sendText(200, 'ok'));
    assert.deepEqual(fast, []);
    const slow = await logOnce([config], async (exchange) => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      exchange.sendText(200, 'ok');
    });
    assert.equal(slow.length, 1);
    assert.ok(Number(json(slow[0]).Duration) > 60e6);
    const statuses: AccessLogConfig = { format: 'json', filters: { statusCodes: ['400-499'] } };
    assert.deepEqual(await logOnce([statuses], (exchange) => exchange.sendText(200, 'ok')), []);
    assert.equal((await logOnce([statuses], (exchange) => exchange.sendText(404, 'no'))).length, 1);
  });

  it('logs the requests the retry middleware sent again, with RetryAttempts, under retryAttempts', async () => {
    const upstream = await startUpstream((_req, res) => res.end('up'));
    const dead = await closedPort();
    const gw = await startGateway({
      static: { accessLog: { format: 'json', filters: { retryAttempts: true } } },
      files: {
        'r.yml': `http:
  routers:
    r:
      rule: PathPrefix(\`/x\`)
      service: s
      middlewares: [again]
    plain:
      rule: PathPrefix(\`/plain\`)
      service: plain
  middlewares:
    again:
      retry:
        attempts: 2
  services:
    s:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:${dead}
          - url: ${upstream.url}
    plain:
      loadBalancer:
        servers:
          - url: ${upstream.url}
`,
      },
    });
    try {
      for (const path of ['/x', '/plain', '/x', '/plain'])
        assert.equal((await send(gw.web + path)).body, 'up');
      await new Promise((resolve) => setImmediate(resolve));
      // The dead server comes first at least once in two rounds of the load balancer.
      assert.ok(gw.access.length >= 1, 'a retried request is logged');
      for (const line of gw.access) {
        assert.equal(line.RequestPath, '/x', 'a request that was not retried is not logged');
        assert.equal(line.RetryAttempts, 1);
      }
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});

describe('access log: routers', () => {
  it('leaves out the requests of a router with observability.accessLogs: false, and follows a reload', async () => {
    const upstream = await startUpstream((_req, res) => res.end('up'));
    const routes = (quiet: boolean) => `http:
  routers:
    loud:
      rule: Path(\`/loud\`)
      service: s
    quiet:
      rule: Path(\`/quiet\`)
      service: s
      observability:
        accessLogs: ${!quiet}
        metrics: true
  services:
    s:
      loadBalancer:
        servers:
          - url: ${upstream.url}
`;
    const gw = await startGateway({ files: { 'r.yml': routes(true) } });
    const paths = () => gw.access.map((line) => line.RequestPath);
    try {
      for (const path of ['/quiet', '/loud', '/quiet']) assert.equal((await send(gw.web + path)).body, 'up');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(paths(), ['/loud']);
      assert.ok(
        gw.logs.some((line) =>
          String(line.msg).startsWith('routers.quiet.observability.metrics: per-router metrics'),
        ),
        'metrics is warned about, not silently taken',
      );
      const reloaded = gw.gateway.nextReload();
      await gw.write('r.yml', routes(false));
      await reloaded;
      assert.equal((await send(`${gw.web}/quiet`)).body, 'up');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(paths(), ['/loud', '/quiet']);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});

describe('access log: static configuration', () => {
  it('refuses what Traefik does not have or this gateway does not do, naming it', () => {
    assert.throws(
      () => parseStaticConfig({ accessLog: { otlp: { http: {} } } }),
      /accessLog\.otlp: sending the access log over OpenTelemetry is not supported/,
    );
    assert.throws(
      () => parseStaticConfig({ accessLog: { fields: { defaultMode: 'redact' } } }),
      /defaultMode/,
    );
    assert.throws(() => parseStaticConfig({ accessLog: { fields: { names: { X: 'redact' } } } }), /names\.X/);
    assert.throws(() => parseStaticConfig({ accessLog: { format: 'xml' } }), /accessLog\.format/);
    assert.throws(() => parseStaticConfig({ accessLog: { bufferingSize: -1 } }), /bufferingSize/);
    assert.throws(() => parseStaticConfig({ accessLog: { rotate: true } }), /accessLog\.rotate/);
    const { config } = parseStaticConfig({ accessLog: { dualOutput: true, bufferingSize: '100' } });
    assert.equal(config.accessLog?.bufferingSize, 100);
    assert.equal(config.accessLog?.format, 'common', "Traefik's default format");
  });
});

describe('access log: batching', () => {
  it('batches the lines of one event-loop turn into one write, and flushes on demand', async () => {
    const writes: string[] = [];
    const sink = batchedSink({ write: (chunk: string) => writes.push(chunk) });
    sink.write('a\n');
    sink.write('b\n');
    assert.deepEqual(writes, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['a\nb\n']);
    sink.write('c\n');
    sink.flush();
    assert.deepEqual(writes, ['a\nb\n', 'c\n']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 2, 'nothing written twice');
  });

  it('with bufferingSize, keeps lines across turns until that many wait, or a second after the first', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const writes: string[] = [];
    const sink = batchedSink({ write: (chunk: string) => writes.push(chunk) }, 3);
    sink.write('a\n');
    await new Promise((resolve) => setImmediate(resolve));
    sink.write('b\n');
    assert.deepEqual(writes, [], 'kept in memory across turns');
    sink.write('c\n');
    assert.deepEqual(writes, ['a\nb\nc\n'], 'written once bufferingSize lines wait');
    sink.write('d\n');
    t.mock.timers.tick(999);
    assert.equal(writes.length, 1);
    t.mock.timers.tick(1);
    assert.deepEqual(writes, ['a\nb\nc\n', 'd\n'], 'a line waits a second at most');
    sink.write('e\n');
    sink.flush();
    assert.deepEqual(writes.at(-1), 'e\n', 'flushed on demand (stop)');
    t.mock.timers.tick(2000);
    assert.equal(writes.length, 3, 'nothing written twice');
  });
});

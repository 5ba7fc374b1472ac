import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import type { AccessLogConfig } from '../config/static.ts';
import { Exchange } from '../http/exchange.ts';
import { batchedSink, createAccessLog } from './access-log.ts';

/** Serves one request, letting `handle` answer it, and returns the lines each access log wrote for it. */
async function logOnce(
  configs: readonly AccessLogConfig[],
  handle: (exchange: Exchange) => void,
  headers: Record<string, string> = {},
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
      handle(exchange);
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

/** A line without what depends on when it was written. */
const withoutTime = (line: string) => {
  const { time, Duration, Overhead, ...rest } = JSON.parse(line) as Record<string, unknown>;
  assert.match(String(time), /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof Duration, 'number');
  assert.equal(typeof Overhead, 'number');
  return rest;
};

describe('access log', () => {
  it('writes the same JSON line on its fast path (no header fields) as the generic one, keys sorted', async () => {
    const [fast = '', generic = ''] = await logOnce(
      [
        { format: 'json' },
        // A kept header the request does not carry: the generic path, with the same fields.
        { format: 'json', fields: { headers: { names: { 'X-Absent': 'keep' } } } },
      ],
      (exchange) => {
        exchange.log.RouterName = 'r@file';
        exchange.log.ClientUsername = 'alice';
        exchange.sendText(201, 'made');
      },
      { 'user-agent': 'test "agent"' },
    );
    assert.ok(fast.endsWith('}\n'));
    const parsed = withoutTime(fast);
    assert.deepEqual(parsed, withoutTime(generic));
    const keys = Object.keys(JSON.parse(fast) as object);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(parsed.RouterName, 'r@file');
    assert.equal(parsed.ServiceName, undefined, 'an unset field is left out');
    assert.equal(parsed.ClientUsername, 'alice');
    assert.equal(parsed.DownstreamStatus, 201);
    assert.equal(parsed.DownstreamContentSize, 4);
    assert.equal(parsed.RequestPath, '/some/path?q=1');
    assert.equal(parsed.level, 'info');
    assert.equal(parsed.msg, '');
    assert.match(String(parsed.StartLocal), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('drops fields by name on the fast path too, and keeps the headers it is told to', async () => {
    const [dropped = '', withAgent = ''] = await logOnce(
      [
        { format: 'json', fields: { names: { StartLocal: 'drop', clientusername: 'drop' } } },
        { format: 'json', fields: { headers: { names: { 'User-Agent': 'keep', Authorization: 'redact' } } } },
      ],
      (exchange) => exchange.sendText(200, 'ok'),
      { 'user-agent': 'probe', authorization: 'Bearer secret' },
    );
    const first = JSON.parse(dropped) as Record<string, unknown>;
    assert.equal(first.StartLocal, undefined);
    assert.equal(first.ClientUsername, undefined);
    assert.equal(first.StartUTC !== undefined, true);
    const second = JSON.parse(withAgent) as Record<string, unknown>;
    assert.equal(second['request_User-Agent'], 'probe');
    assert.equal(second.request_Authorization, 'REDACTED');
  });

  it('batches the lines of one event-loop turn into one write, and flushes on demand', async () => {
    const writes: string[] = [];
    const sink = batchedSink({ write: (chunk) => writes.push(chunk) });
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
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ADDER_SERVICE, createAdderClient } from '../proto/adder.ts';
import { type RunningAdder, startAdder } from '../testing/adder.ts';

interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, response?: { status: string }) => void,
  ): void;
}

function healthClient(target: string): HealthClient {
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const Health = grpc.makeGenericClientConstructor(
    definition['grpc.health.v1.Health'] as grpc.ServiceDefinition,
    'Health',
  );
  return new Health(target, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response?.status ?? ''))),
  );
}

/** Lists the services through server reflection (v1), as grpcurl does. */
async function listServices(target: string): Promise<string[]> {
  const definition = protoLoader.loadSync(
    new URL(
      '../../../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto',
      import.meta.url,
    ).pathname,
    { keepCase: true },
  );
  const Reflection = grpc.makeGenericClientConstructor(
    definition['grpc.reflection.v1.ServerReflection'] as grpc.ServiceDefinition,
    'ServerReflection',
  );
  const client = new Reflection(target, grpc.credentials.createInsecure());
  const stream = (
    client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> }
  ).ServerReflectionInfo();
  const answer = new Promise<string[]>((resolve, reject) => {
    stream.on('data', (response) => {
      const list = response.list_services_response as { service: Array<{ name: string }> } | undefined;
      resolve(list?.service.map((service) => service.name) ?? []);
      stream.end();
    });
    stream.on('error', reject);
  });
  stream.write({ list_services: '' });
  const names = await answer;
  client.close();
  return names;
}

let running: RunningAdder;
before(async () => {
  running = await startAdder();
});
after(() => running.close());

describe('gRPC Adder', () => {
  it('adds, int64 exact at the edges', async () => {
    assert.deepEqual(await running.add(10, 10), { sum: '20' });
    assert.deepEqual(await running.add('9223372036854775806', '1'), { sum: '9223372036854775807' });
    assert.deepEqual(await running.add('-9223372036854775808', 0), { sum: '-9223372036854775808' });
  });

  it('answers INVALID_ARGUMENT on overflow, never a wrapped sum', async () => {
    await assert.rejects(running.add('9223372036854775807', 1), (error: grpc.ServiceError) => {
      assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
      assert.match(error.details, /overflows int64/);
      return true;
    });
  });

  it('reports SERVING through grpc.health.v1, for the server and the Adder', async () => {
    const client = healthClient(running.grpcTarget);
    assert.equal(await check(client, ''), 'SERVING');
    assert.equal(await check(client, ADDER_SERVICE), 'SERVING');
    await assert.rejects(check(client, 'nope.Service'), { code: grpc.status.NOT_FOUND });
    client.close();
  });

  it('lists its services through server reflection', async () => {
    const names = await listServices(running.grpcTarget);
    assert.ok(names.includes(ADDER_SERVICE), names.join(', '));
    assert.ok(names.includes('grpc.health.v1.Health'), names.join(', '));
  });
});

describe('shutdown', () => {
  it('turns NOT_SERVING for watchers before it stops, then refuses new calls', async () => {
    const adder = await startAdder({ grpcGraceMs: 300 });
    const client = healthClient(adder.grpcTarget) as HealthClient & {
      Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
    };
    const statuses: string[] = [];
    const watch = client.Watch({ service: ADDER_SERVICE });
    const ended = new Promise<void>((resolve) => {
      watch.on('data', (response) => statuses.push(response.status));
      watch.on('error', () => resolve());
      watch.on('end', () => resolve());
    });
    while (statuses.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await adder.close();
    await ended;
    assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
    const late = createAdderClient(adder.grpcTarget);
    await assert.rejects(
      new Promise((resolve, reject) =>
        late.Add({ x: 1, y: 2 }, new grpc.Metadata(), { deadline: Date.now() + 1000 }, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
      { code: grpc.status.UNAVAILABLE },
    );
    late.close();
    client.close();
  });
});

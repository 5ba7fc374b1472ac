import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PortPair, toActualPorts, toStandardPorts } from './ports.ts';

const pairs: PortPair[] = [
  { standard: 8000, actual: 41001 },
  { standard: 8443, actual: 8000 },
  { standard: 50051, actual: 41003 },
];

describe('page ports', () => {
  it('rewrites the ports of HTTPie shorthands, hosts and URLs, once each', () => {
    assert.equal(
      toActualPorts('http :8000/a && http https://localhost:8443/b --target 127.0.0.1:50051', pairs),
      'http :41001/a && http https://localhost:8000/b --target 127.0.0.1:41003',
    );
  });

  it('leaves numbers that are not ports alone', () => {
    assert.equal(
      toActualPorts('--count 8000 --rps 80001 x:80001', pairs),
      '--count 8000 --rps 80001 x:80001',
    );
  });

  it('maps the output back to the ports the page shows', () => {
    assert.equal(
      toStandardPorts('"x-forwarded-host": "localhost:41001"\nLocation: https://localhost:8000/b', pairs),
      '"x-forwarded-host": "localhost:8000"\nLocation: https://localhost:8443/b',
    );
  });
});

/**
 * ipAllowList through a gateway, against the cases of Traefik's `ip_allowlist_test.go` and the strategy cases
 * of `pkg/ip/strategy_test.go` (the client here is 127.0.0.1; X-Forwarded-For is trusted by the test
 * entrypoint, as behind a load balancer).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const allow = (config: Record<string, unknown>) => ({ ipAllowList: config });

describe("ipAllowList: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      local: allow({ sourceRange: ['127.0.0.1'] }),
      other: allow({ sourceRange: ['20.20.20.20'] }),
      other404: allow({ sourceRange: ['20.20.20.20'], rejectStatusCode: 404 }),
      local404: allow({ sourceRange: ['127.0.0.0/8'], rejectStatusCode: 404 }),
      depth3: allow({ sourceRange: ['10.0.0.3'], ipStrategy: { depth: 3 } }),
      depth2: allow({ sourceRange: ['10.0.0.2', '10.0.0.0/8'], ipStrategy: { depth: 2 } }),
      excluded: allow({ sourceRange: ['10.0.0.3'], ipStrategy: { excludedIPs: ['10.0.0.2', '10.0.0.1'] } }),
      excludedCidr: allow({ sourceRange: ['127.0.0.1'], ipStrategy: { excludedIPs: ['10.0.0.1/24'] } }),
      depthWinsOverExcluded: allow({
        sourceRange: ['10.0.0.1'],
        ipStrategy: { depth: 1, excludedIPs: ['10.0.0.1'] },
      }),
      subnet: allow({ sourceRange: ['::abcd:0:0:0'], ipStrategy: { depth: 2, ipv6Subnet: 80 } }),
      deprecated: { ipWhiteList: { sourceRange: ['127.0.0.1'] } },
      invalidIp: allow({ sourceRange: ['foo'] }),
      invalidStatus: allow({ sourceRange: ['10.10.10.10'], rejectStatusCode: 600 }),
      empty: allow({ sourceRange: [] }),
      badSubnet: allow({ sourceRange: ['10.0.0.1'], ipStrategy: { ipv6Subnet: 500 } }),
    });
  });
  after(() => gw.close());

  const xff = (value: string) => ({ headers: { 'x-forwarded-for': value } });
  for (const [desc, name, init, status] of [
    ['authorized with the remote address', 'local', {}, 200],
    ['not authorized with the remote address: 403', 'other', {}, 403],
    ['X-Forwarded-For is not the remote address', 'other', xff('20.20.20.20'), 403],
    ['not authorized, rejectStatusCode 404', 'other404', {}, 404],
    ['authorized, rejectStatusCode 404', 'local404', {}, 200],
    [
      'depth 3 of 10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1 is 10.0.0.3',
      'depth3',
      xff('10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'),
      200,
    ],
    ['depth beyond X-Forwarded-For: empty, refused', 'depth3', xff('10.0.0.3'), 403],
    ['no X-Forwarded-For with a depth: refused', 'depth3', {}, 403],
    ['depth that matches the first IP', 'depth2', xff('10.0.0.2, 10.0.0.1'), 200],
    ['depth picks an address outside the range', 'depth2', xff('1.2.3.4, 10.0.0.1'), 403],
    [
      'excludedIPs: the right-most address not excluded',
      'excluded',
      xff('10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'),
      200,
    ],
    ['excludedIPs: every address excluded gives none', 'excluded', xff('10.0.0.2,10.0.0.1'), 403],
    ['excludedIPs with a CIDR', 'excludedCidr', xff('127.0.0.1,10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'), 200],
    ['depth wins over excludedIPs', 'depthWinsOverExcluded', xff('10.0.0.2,10.0.0.1'), 200],
    [
      'ipv6Subnet groups an IPv6 client by its /80',
      'subnet',
      xff('10.0.0.3,::abcd:ffff:c0a8:1,10.0.0.1'),
      200,
    ],
    ['ipv6Subnet leaves IPv4 addresses alone', 'subnet', xff('10.0.0.3,10.0.0.2,10.0.0.1'), 403],
    ['ipWhiteList, the deprecated name, works the same', 'deprecated', {}, 200],
  ] as const) {
    it(desc, async () => {
      const count = gw.upstream.received.length;
      const reply = await gw.send(name, '/', init);
      assert.equal(reply.status, status);
      if (status !== 200) {
        assert.equal(reply.body, status === 403 ? 'Forbidden' : 'Not Found');
        assert.equal(gw.upstream.received.length, count, 'the backend is not called');
      }
    });
  }

  for (const [name, error] of [
    ['invalidIp', /invalid CIDR address: foo/],
    ['invalidStatus', /invalid HTTP status code 600/],
    ['empty', /sourceRange is empty/],
    ['badSubnet', /invalid IPv6 subnet 500/],
  ] as const) {
    it(`refused at load: ${name}`, async () => {
      await assertRefused(gw, name, error);
    });
  }
});

/**
 * IP ranges and addresses against the cases of Traefik's `pkg/ip/checker_test.go` and the IPv6-subnet cases of
 * `pkg/ip/strategy_test.go` (the strategies themselves run through a gateway in ip-allow-list.test.ts).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddress, IpChecker, parseAddress } from './client-ip.ts';

const cases: { desc: string; ranges: string[]; pass: string[]; reject: string[] }[] = [
  {
    desc: 'IPv4',
    ranges: ['1.2.3.4/24'],
    pass: ['1.2.3.1', '1.2.3.32', '1.2.3.156', '1.2.3.255'],
    reject: ['1.2.16.1', '1.2.32.1', '127.0.0.1', '8.8.8.8'],
  },
  {
    desc: 'IPv4 single IP',
    ranges: ['8.8.8.8'],
    pass: ['8.8.8.8'],
    reject: ['8.8.8.7', '8.8.8.9', '8.8.8.0', '8.8.8.255', '4.4.4.4', '127.0.0.1'],
  },
  {
    desc: 'IPv4 net single IP',
    ranges: ['8.8.8.8/32'],
    pass: ['8.8.8.8'],
    reject: ['8.8.8.7', '8.8.8.9', '8.8.8.0', '8.8.8.255', '4.4.4.4', '127.0.0.1'],
  },
  {
    desc: 'multiple IPv4',
    ranges: ['1.2.3.4/24', '8.8.8.8/8'],
    pass: [
      '1.2.3.1',
      '1.2.3.32',
      '1.2.3.156',
      '1.2.3.255',
      '8.8.4.4',
      '8.0.0.1',
      '8.32.42.128',
      '8.255.255.255',
    ],
    reject: ['1.2.16.1', '1.2.32.1', '127.0.0.1', '4.4.4.4', '4.8.8.8'],
  },
  {
    desc: 'IPv6',
    ranges: ['2a03:4000:6:d080::/64'],
    pass: [
      '2a03:4000:6:d080::',
      '2a03:4000:6:d080::1',
      '2a03:4000:6:d080:dead:beef:ffff:ffff',
      '2a03:4000:6:d080::42',
    ],
    reject: ['2a03:4000:7:d080::', '2a03:4000:7:d080::1', 'fe80::', '4242::1'],
  },
  {
    desc: 'IPv6 single IP',
    ranges: ['2a03:4000:6:d080::42/128'],
    pass: ['2a03:4000:6:d080::42'],
    reject: ['2a03:4000:6:d080::1', '2a03:4000:6:d080:dead:beef:ffff:ffff', '2a03:4000:6:d080::43'],
  },
  {
    desc: 'multiple IPv6 & IPv4, zones ignored',
    ranges: ['2a03:4000:6:d080::/64', 'fe80::/16', '1.2.3.4/24', '8.8.8.8/8'],
    pass: [
      '2a03:4000:6:d080::',
      '2a03:4000:6:d080::1',
      '2a03:4000:6:d080:dead:beef:ffff:ffff',
      '2a03:4000:6:d080::42',
      'fe80::1',
      'fe80:aa00:00bb:4232:ff00:eeee:00ff:1111',
      'fe80:aa00:00bb:4232:ff00:eeee:00ff:1111%vEthernet',
      'fe80::fe80',
      '1.2.3.1',
      '8.255.255.255',
    ],
    reject: [
      '2a03:4000:7:d080::',
      '2a03:4000:7:d080::1',
      '2a03:4000:7:d080::1%vmnet1',
      '4242::1',
      '1.2.16.1',
      '4.8.8.8',
    ],
  },
  {
    desc: 'IPv4-mapped IPv6 addresses are IPv4; IPv6 ranges never hold IPv4 addresses (Go)',
    ranges: ['10.0.0.0/8', '::/0'],
    pass: ['::ffff:10.1.2.3', '10.1.2.3', '2001:db8::1'],
    reject: ['11.1.2.3', '::ffff:11.1.2.3'],
  },
  {
    desc: 'with a port, as a remote address has it',
    ranges: ['1.2.3.4/24', 'fe80::/16'],
    pass: ['1.2.3.1:123', '[fe80::1]:443'],
    reject: ['10.2.3.1:123'],
  },
];

describe("IP ranges: Traefik's checker cases", () => {
  for (const c of cases) {
    it(c.desc, () => {
      const checker = new IpChecker(c.ranges);
      for (const ip of c.pass) assert.ok(checker.allows(ip), `${ip} should pass`);
      for (const ip of c.reject) assert.ok(!checker.allows(ip), `${ip} should not pass`);
    });
  }

  it('broken addresses never pass: octal-looking, out of range, bad IPv6, empty, garbage', () => {
    const checker = new IpChecker(['0.0.0.0/0', '::/0', '127.2.3.4/24']);
    for (const ip of ['foo', '10.0.0.350', 'fe:::80', '', '\\&$§&/(', '0127.2.3.1', '0127.2.3.1:123']) {
      assert.ok(!checker.allows(ip), ip);
    }
  });

  it('refuses an empty list and entries Go cannot parse', () => {
    assert.throws(() => new IpChecker([]), /no trusted IPs provided/);
    for (const bad of ['', 'foo', '1.2.3.4/33', 'fe80::/129', '1.2.3.4/', '1.2.3.4/-1', 'fe80::1%eth0']) {
      assert.throws(() => new IpChecker(['1.2.3.4/24', bad]), /invalid CIDR address/, bad);
    }
  });

  it("prints addresses as Go does (RFC 5952), for ipv6Subnet's grouped address", () => {
    const text = (ip: string) => formatAddress(parseAddress(ip) ?? new Uint8Array(16));
    assert.equal(text('::abcd:ffff:c0a8:1'), '::abcd:ffff:c0a8:1');
    assert.equal(text('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
    assert.equal(text('0:0:0:0:abcd:0:0:0'), '::abcd:0:0:0');
    assert.equal(text('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
    assert.equal(text('1:0:0:2:0:0:3:4'), '1::2:0:0:3:4');
    assert.equal(text('1.2.3.4'), '1.2.3.4');
    assert.equal(text('::'), '::');
  });
});

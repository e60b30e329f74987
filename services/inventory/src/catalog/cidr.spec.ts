import { describe, expect, it } from 'vitest';
import { cidrContains, InvalidCidrError, normalizeCidr } from './cidr.js';

describe('normalizeCidr', () => {
  it.each([
    ['10.1.2.3/16', '10.1.0.0/16'],
    [' 192.168.7.9/24 ', '192.168.7.0/24'],
    ['10.0.0.7', '10.0.0.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['FD00:0:0:0::1/48', 'fd00::/48'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329/128'],
    ['::ffff:10.1.2.3/120', '::ffff:a01:200/120'],
    ['fe80::1/10', 'fe80::/10'],
    ['::/0', '::/0'],
    ['1:0:0:2:0:0:0:3/128', '1:0:0:2::3/128'],
  ])('%s → %s', (input, output) => {
    expect(normalizeCidr(input)).toBe(output);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', 'not-an-ip/8', '10.0.0.0/x', '10.0.0.0/8/8', '', '10.0.0.0/-1'])(
    'refuses %j',
    (input) => {
      expect(() => normalizeCidr(input)).toThrow(InvalidCidrError);
    },
  );
});

describe('cidrContains', () => {
  it('matches an address of the same family inside the network only', () => {
    expect(cidrContains('10.1.0.0/16', '10.1.200.3')).toBe(true);
    expect(cidrContains('10.1.0.0/16', '10.2.0.1')).toBe(false);
    expect(cidrContains('fd00:20::/48', 'fd00:20:0:7::9')).toBe(true);
    expect(cidrContains('fd00:20::/48', '10.1.0.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.9')).toBe(true);
    expect(cidrContains('10.1.0.0/16', 'nonsense')).toBe(false);
  });
});

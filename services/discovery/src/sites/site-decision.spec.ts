import { describe, expect, it } from 'vitest';
import { addressToLocate, InvalidCidrError, networkSet } from './site-decision.js';

describe('addressToLocate', () => {
  const trusted = networkSet(['10.255.0.0/24', 'fd00:ff::/64', '192.0.2.7']);

  it('uses the request source when no relay address is reported', () => {
    expect(addressToLocate({ source: '10.1.2.3' }, trusted)).toEqual({ address: '10.1.2.3', via: 'source' });
  });

  it('uses the reported DHCP relay address when the request came through a trusted relay', () => {
    expect(addressToLocate({ source: '10.255.0.9', relayAddress: '10.20.0.1' }, trusted)).toEqual({
      address: '10.20.0.1',
      via: 'relay',
    });
    expect(addressToLocate({ source: '192.0.2.7', relayAddress: '10.30.0.1' }, trusted).via).toBe('relay');
    expect(addressToLocate({ source: 'fd00:ff::5', relayAddress: '10.30.0.1' }, trusted).via).toBe('relay');
  });

  it('ignores a relay address reported from an untrusted source', () => {
    expect(addressToLocate({ source: '10.1.2.3', relayAddress: '10.20.0.1' }, trusted)).toEqual({
      address: '10.1.2.3',
      via: 'source',
    });
    expect(addressToLocate({ source: '192.0.2.8', relayAddress: '10.20.0.1' }, trusted).via).toBe('source');
  });

  it('ignores a relay address that is not an IP address', () => {
    expect(addressToLocate({ source: '10.255.0.9', relayAddress: 'site-a' }, trusted).via).toBe('source');
  });

  it('trusts nothing when no relay is configured', () => {
    expect(addressToLocate({ source: '10.255.0.9', relayAddress: '10.20.0.1' }, networkSet([])).via).toBe(
      'source',
    );
  });
});

describe('networkSet', () => {
  it.each(['10.0.0.0/33', 'not-an-ip/8', '10.0.0.0/x', 'fd00::/129'])('refuses %s', (cidr) => {
    expect(() => networkSet([cidr])).toThrow(InvalidCidrError);
  });
});

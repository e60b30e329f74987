import { BlockList, isIP } from 'node:net';

/** Where a report came from, as the server saw it and as the boot environment told it. */
export interface ReportOrigin {
  /** The TCP peer of the request (IPv4-mapped IPv6 already unwrapped). */
  source: string;
  /** The DHCP relay (`giaddr`) the boot environment reports, if any. */
  relayAddress?: string | undefined;
}

export interface LocatedAddress {
  address: string;
  via: 'source' | 'relay';
}

export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
}

/** A set of networks (`10.0.0.0/8`, `fd00::/8`, or a bare address for one host). */
export function networkSet(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.trim().split('/');
    const family = isIP(address);
    if (family === 0) throw new InvalidCidrError(`${JSON.stringify(cidr)} is not an IP network`);
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new InvalidCidrError(`${JSON.stringify(cidr)} has a bad prefix length`);
    }
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * The address whose site network decides a report's site. Normally the request's own source:
 * a machine in a site's network talks to discovery directly. When the request came through a
 * trusted relay or proxy (its source is one of `trustedRelays`), the source says nothing
 * about the machine, so the DHCP relay address (`giaddr`) the boot environment reports is used
 * instead — and only then: from anyone else, a reported relay address is ignored, or any
 * client could place itself in any site.
 */
export function addressToLocate(origin: ReportOrigin, trustedRelays: BlockList): LocatedAddress {
  const relay = origin.relayAddress?.trim();
  if (relay && isIP(relay) !== 0 && isTrusted(origin.source, trustedRelays)) {
    return { address: relay, via: 'relay' };
  }
  return { address: origin.source, via: 'source' };
}

function isTrusted(source: string, trusted: BlockList): boolean {
  const family = isIP(source);
  return family !== 0 && trusted.check(source, family === 4 ? 'ipv4' : 'ipv6');
}

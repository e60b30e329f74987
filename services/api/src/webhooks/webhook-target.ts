import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless configured (MUSTER_WEBHOOKS_ALLOWED_NETWORKS):
 * loopback, link-local (cloud metadata at 169.254.169.254), private, shared, multicast,
 * reserved, and their IPv6 counterparts. A token holder could otherwise make the api POST into
 * the network it runs in.
 */
const NON_PUBLIC: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

/** Checks the addresses a webhook URL reaches against the non-public ranges and the allow-list. */
export class WebhookTargetPolicy {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();

  constructor(
    allowedNetworks: readonly string[],
    private readonly resolve: (host: string) => Promise<string[]> = async (host) =>
      (await lookup(host, { all: true, verbatim: true })).map((a) => a.address),
  ) {
    for (const [net, prefix, family] of NON_PUBLIC) this.blocked.addSubnet(net, prefix, family);
    for (const cidr of allowedNetworks) {
      const [net, prefix] = cidr.split('/') as [string, string];
      this.allowed.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** The URL parsed, or why it is refused: http(s) only, no credentials, a reachable public host. */
  parse(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new WebhookTargetError('must be an absolute http:// or https:// URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookTargetError('must be an http:// or https:// URL');
    }
    if (url.username || url.password) throw new WebhookTargetError('must not carry credentials');
    if (url.hash) throw new WebhookTargetError('must not have a fragment');
    return url;
  }

  /** Refuses a URL whose host is, or resolves to, an address outside what may be reached. */
  async check(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = await this.resolve(host);
      } catch (err) {
        throw new WebhookTargetError(
          `${host} does not resolve (${(err as { code?: string }).code ?? 'lookup failed'})`,
        );
      }
    }
    for (const address of addresses) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
      const ip = mapped ?? address;
      const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      if (this.blocked.check(ip, family) && !this.allowed.check(ip, family)) {
        throw new WebhookTargetError(
          `${host} reaches ${ip}, a loopback, link-local or private address (allow it with MUSTER_WEBHOOKS_ALLOWED_NETWORKS)`,
        );
      }
    }
  }
}

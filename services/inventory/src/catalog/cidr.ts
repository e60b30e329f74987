import { isIP } from 'node:net';

export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';
}

/**
 * A network in its canonical form: host bits zeroed, IPv6 compressed as RFC 5952 writes it
 * (`10.1.2.3/16` → `10.1.0.0/16`, `FD00:0:0::1/48` → `fd00::/48`). A bare address is one host
 * (`/32`, `/128`). The same text PostgreSQL's `cidr` prints, so comparisons hold on both sides.
 */
export function normalizeCidr(text: string): string {
  const [address = '', prefix, extra] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined)
    throw new InvalidCidrError(`${JSON.stringify(text)} is not an IP network`);
  const width = family === 4 ? 32 : 128;
  const bits = prefix === undefined ? width : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!Number.isInteger(bits) || bits < 0 || bits > width) {
    throw new InvalidCidrError(`${JSON.stringify(text)} has a bad prefix length (0–${width})`);
  }
  const value = family === 4 ? v4ToBigInt(address) : v6ToBigInt(address);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  const network = value & mask;
  return `${family === 4 ? v4Text(network) : v6Text(network)}/${bits}`;
}

/** Whether `address` (IPv4 or IPv6) lies inside the normalized network `cidr`. */
export function cidrContains(cidr: string, address: string): boolean {
  const family = isIP(address);
  const [net = '', prefix = ''] = cidr.split('/');
  if (family === 0 || isIP(net) !== family) return false;
  const width = family === 4 ? 32 : 128;
  const bits = Number(prefix);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  const value = family === 4 ? v4ToBigInt(address) : v6ToBigInt(address);
  const base = family === 4 ? v4ToBigInt(net) : v6ToBigInt(net);
  return (value & mask) === base;
}

function v4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function v6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes its two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = v4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function v6Text(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups (the first of equals) becomes `::`.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

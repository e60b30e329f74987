/**
 * Loopback source addresses 127.0.0.2 … : Linux routes all of 127/8 to lo, and each source
 * address has its own ~28,000 ephemeral ports towards one gateway port, so the agent count is
 * not capped by one address's ports.
 */
export function loopbackSources(count: number): string[] {
  if (count < 1 || count > 250) throw new RangeError('between 1 and 250 loopback source addresses');
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

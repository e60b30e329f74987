import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { getFreePort, getFreePorts, isPortFree } from './free-port.js';

describe('free ports', () => {
  it('hands out distinct ports that nothing listens on', async () => {
    const ports = await getFreePorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) {
      expect(port).toBeGreaterThan(0);
      expect(port).toBeLessThan(65_536);
      expect(await isPortFree(port)).toBe(true);
    }
  });

  it('sees a port in use as busy', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      server.close();
    }
  });

  it('getFreePort returns one usable port', async () => {
    const port = await getFreePort();
    expect(await isPortFree(port)).toBe(true);
  });

  it('rejects a count below one', async () => {
    await expect(getFreePorts(0)).rejects.toThrow(RangeError);
  });
});

import { randomUUID } from 'node:crypto';

/**
 * `count` distinct machines as the discovery environment reports them: a real-looking SMBIOS
 * UUID, a serial unique to the run and the machine, two NICs, a hardware summary. `prefix`
 * keeps the machines of two runs apart.
 */
export function benchMachines(prefix: number, count: number): object[] {
  return Array.from({ length: count }, (_, n) => {
    const b = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((x) => x.toString(16).padStart(2, '0'));
    return {
      smbiosUuid: randomUUID(),
      serial: `BENCH-${prefix}-${n}`,
      macs: [
        `02:${prefix.toString(16).padStart(2, '0')}:${b.join(':')}:01`,
        `02:${prefix.toString(16).padStart(2, '0')}:${b.join(':')}:02`,
      ],
      bootMac: `02:${prefix.toString(16).padStart(2, '0')}:${b.join(':')}:01`,
      hardware: {
        cpu: { model: 'AMD EPYC 7543', architecture: 'amd64', sockets: 1, cores: 32, threads: 64 },
        memoryBytes: '274877906944',
        disks: [{ name: 'nvme0n1', model: 'Samsung PM9A3', sizeBytes: '1920383410176', bus: 'nvme' }],
        nics: [
          {
            name: 'enp1s0f0',
            mac: `02:${prefix.toString(16).padStart(2, '0')}:${b.join(':')}:01`,
            speedMbps: 25000,
            linkUp: true,
          },
        ],
      },
    };
  });
}

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServiceProcess } from '../../tools/stack/service-process.js';

describe('a service started with bad configuration', () => {
  it('names every bad key and exits non-zero without starting', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'muster-badcfg-'));
    const service = startServiceProcess(
      'inventory',
      1, // overridden below: MUSTER_HTTP_PORT is one of the bad keys
      {
        MUSTER_HTTP_PORT: 'eighty',
        MUSTER_NATS_URL: 'http://127.0.0.1:4222',
        MUSTER_LOG_LEVEL: 'loud',
        MUSTER_DATABSE_URL: 'postgres://typo@127.0.0.1/x',
      },
      logs,
    );
    const { code } = await service.exited;
    const output = await service.log();
    expect(code).toBe(78);
    for (const key of [
      'MUSTER_HTTP_PORT',
      'MUSTER_NATS_URL',
      'MUSTER_LOG_LEVEL',
      'MUSTER_DATABASE_URL',
      'MUSTER_DATABSE_URL',
    ]) {
      expect(output).toContain(key);
    }
    expect(output).not.toContain('postgres://typo@');
    expect(output).not.toMatch(/listening/);
  });
});

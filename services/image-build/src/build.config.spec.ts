import { loadConfig } from '@muster/config';
import { describe, expect, it } from 'vitest';
import { BUILD_EPOCH_DEFAULT, buildConfig, buildSettings } from './build.config.js';

const load = (env: Record<string, string>) => buildSettings(loadConfig({ build: buildConfig() }, env).build);

describe('image-build settings', () => {
  it('runs a worker unless told off (on/off and true/false alike), with the documented defaults', () => {
    const defaults = load({});
    expect(defaults).toMatchObject({
      worker: true,
      concurrency: 1,
      minFreeBytes: 4 * 1024 ** 3,
      sourceDateEpoch: BUILD_EPOCH_DEFAULT,
      lockSeconds: 30,
      user: process.getuid?.() === 0 ? 'muster-build' : undefined,
    });
    expect(defaults.workDir).toMatch(/\/muster-builds$/);
    for (const off of ['off', 'false']) expect(load({ MUSTER_BUILD_WORKER: off }).worker).toBe(false);
    for (const on of ['on', 'true']) expect(load({ MUSTER_BUILD_WORKER: on }).worker).toBe(true);
    expect(load({ MUSTER_SOURCE_DATE_EPOCH: '1700000000' }).sourceDateEpoch).toBe(1_700_000_000);
  });

  it('refuses a relative work directory and a date before 1980', () => {
    expect(() => load({ MUSTER_BUILD_WORK_DIR: 'work' })).toThrow(/MUSTER_BUILD_WORK_DIR/);
    expect(() => load({ MUSTER_SOURCE_DATE_EPOCH: '0' })).toThrow(/MUSTER_SOURCE_DATE_EPOCH/);
  });
});

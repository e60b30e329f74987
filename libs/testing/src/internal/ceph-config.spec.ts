import { describe, expect, it } from 'vitest';
import { cephPaths, renderCephConfig, RGW_NAME } from './ceph-config.js';

/** ceph.conf as { section: { key: value } } (keys with spaces, as written). */
function parse(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      out[section] ??= {};
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      (out[section] ??= {})[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return out;
}

const input = {
  fsid: 'f-1',
  dir: '/data/s3',
  monPort: 40001,
  rgwPort: 40002,
  blockSizeBytes: 1024,
  persistent: false,
};

describe('renderCephConfig', () => {
  const conf = parse(renderCephConfig(input));

  it('binds everything to 127.0.0.1 with the legacy protocol the mon is created with', () => {
    expect(conf['global']?.['mon host']).toBe('v1:127.0.0.1:40001');
    expect(conf['global']?.['public addr']).toBe('127.0.0.1');
    expect(conf['global']?.['ms bind msgr2']).toBe('false');
    expect(conf[RGW_NAME]?.['rgw frontends']).toBe('beast endpoint=127.0.0.1:40002');
  });

  it('runs without cephx and with one replica', () => {
    for (const k of ['auth cluster required', 'auth service required', 'auth client required']) {
      expect(conf['global']?.[k]).toBe('none');
    }
    expect(conf['global']?.['osd pool default size']).toBe('1');
    expect(conf['global']?.['mon allow pool size one']).toBe('true');
    expect(conf['global']?.['osd crush chooseleaf type']).toBe('0');
  });

  it('keeps the OSD from re-registering itself (it dies with "wrong fsid" otherwise)', () => {
    expect(conf['osd']?.['osd crush update on start']).toBe('false');
    expect(conf['osd']?.['osd class update on start']).toBe('false');
  });

  it('puts the bluestore block file outside the OSD directory', () => {
    const paths = cephPaths('/data/s3');
    expect(conf['osd']?.['bluestore block path']).toBe(paths.osdBlock);
    expect(paths.osdBlock.startsWith(`${paths.osdData}/`)).toBe(false);
    expect(conf['osd']?.['osd data']).toBe(paths.osdData);
    expect(conf['osd']?.['bluestore block size']).toBe('1024');
  });

  it('keeps every file under the data dir', () => {
    expect(conf['global']?.['fsid']).toBe('f-1');
    expect(conf['mon']?.['mon data']).toBe('/data/s3/mon/ceph-a');
    expect(conf['global']?.['log file']).toBe('/data/s3/log/$name.log');
    expect(conf['global']?.['keyring']).toBe('/data/s3/keyring');
  });

  it('skips the fsck and background work only in test mode', () => {
    const durable = parse(renderCephConfig({ ...input, persistent: true }));
    expect(conf['osd']?.['bluestore fsck on mkfs']).toBe('false');
    expect(durable['osd']?.['bluestore fsck on mkfs']).toBe('true');
    expect(conf[RGW_NAME]?.['rgw enable gc threads']).toBe('false');
    expect(durable[RGW_NAME]?.['rgw enable gc threads']).toBe('true');
  });
});

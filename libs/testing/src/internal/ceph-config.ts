import { join } from 'node:path';

export interface CephConfigInput {
  fsid: string;
  /** Directory holding mon/, osd/, the block file, logs. */
  dir: string;
  monPort: number;
  rgwPort: number;
  blockSizeBytes: number;
  /** Test mode trades durability checks for start-up time. */
  persistent: boolean;
}

export const RGW_NAME = 'client.rgw.a';

/** Where the files of a one-node cluster live under `dir`. */
export function cephPaths(dir: string) {
  return {
    conf: join(dir, 'ceph.conf'),
    keyring: join(dir, 'keyring'),
    monmap: join(dir, 'monmap'),
    monData: join(dir, 'mon', 'ceph-a'),
    osdData: join(dir, 'osd', 'ceph-0'),
    // bluestore's block file must sit outside the OSD directory.
    osdBlock: join(dir, 'osd-block-0'),
    logDir: join(dir, 'log'),
    runDir: join(dir, 'run'),
    rgwData: join(dir, 'rgw'),
    state: join(dir, 'muster-s3.json'),
  };
}

/**
 * ceph.conf for one mon + one bluestore OSD + radosgw on 127.0.0.1, no cephx, no mgr.
 * Besides the settings a one-node cluster needs (see docs in libs/testing/README.md), it shortens
 * three waits that dominate start-up: the mon's 1 s paxos batching (every OSD-map change — OSD
 * boot, each rgw pool — waits for it), the 250 ms aio poll each bluestore device close waits
 * for, and the fsck bluestore runs at mkfs and mount.
 */
export function renderCephConfig(input: CephConfigInput): string {
  const p = cephPaths(input.dir);
  const lines = [
    '[global]',
    `fsid = ${input.fsid}`,
    `mon host = v1:127.0.0.1:${input.monPort}`,
    'public addr = 127.0.0.1',
    'ms bind msgr2 = false',
    'ms bind ipv6 = false',
    'auth cluster required = none',
    'auth service required = none',
    'auth client required = none',
    'osd pool default size = 1',
    'osd pool default min size = 1',
    'osd pool default pg num = 8',
    'osd pool default pgp num = 8',
    'osd pool default pg autoscale mode = off',
    'mon allow pool size one = true',
    'mon warn on pool no redundancy = false',
    'osd crush chooseleaf type = 0',
    `keyring = ${p.keyring}`,
    `run dir = ${p.runDir}`,
    // Unix socket paths are limited to 107 bytes; a deep data dir would break the daemons.
    'admin socket = ',
    `log file = ${join(p.logDir, '$name.log')}`,
    `mon cluster log file = ${join(p.logDir, 'cluster.log')}`,
    `crash dir = ${join(input.dir, 'crash')}`,
    'pid file = ',
    'bdev aio poll ms = 5',
    'debug rocksdb = 0/5',
    'debug bluefs = 0/5',
    'debug bdev = 0/5',
    '',
    '[mon]',
    `mon data = ${p.monData}`,
    'paxos propose interval = 0.01',
    'paxos min wait = 0.001',
    '',
    '[osd]',
    `osd data = ${p.osdData}`,
    'osd objectstore = bluestore',
    `bluestore block path = ${p.osdBlock}`,
    'bluestore block create = true',
    `bluestore block size = ${input.blockSizeBytes}`,
    // Without these two the OSD dies with "wrong fsid" under auth none.
    'osd crush update on start = false',
    'osd class update on start = false',
    'osd op num shards = 1',
    'osd op num threads per shard = 2',
    'osd memory target = 1073741824',
    // On SIGTERM the OSD waits this long for the mon's ack; when both stop at once it never comes.
    `osd mon shutdown timeout = ${input.persistent ? 5 : 1}`,
    `bluestore fsck on mkfs = ${String(input.persistent)}`,
    'bluestore fsck on mount = false',
    '',
    `[${RGW_NAME}]`,
    `rgw frontends = beast endpoint=127.0.0.1:${input.rgwPort}`,
    `rgw data = ${p.rgwData}`,
    'rgw enable usage log = false',
    // Lifecycle workers sleep 5 s at a time, and radosgw's shutdown waits for them.
    'rgw enable lc threads = false',
    `rgw enable gc threads = ${String(input.persistent)}`,
    `rgw dynamic resharding = ${String(input.persistent)}`,
    '',
  ];
  return lines.join('\n');
}

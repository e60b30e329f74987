import { createHash, randomUUID } from 'node:crypto';
import type { SignedRelease } from '../src/release-document.schema.js';

export const NOW = new Date('2026-11-30T12:00:00.000Z');
export const MANIFEST = Buffer.from('{"chunking":"fastcdc-v1","chunks":[],"format":"muster.manifest.v1"}');

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A valid `signed` part issued an hour before NOW, expiring a week after; `over` replaces fields. */
export function exampleSigned(over: Partial<SignedRelease> = {}): SignedRelease {
  return {
    format: 'muster.release.v1',
    releaseId: randomUUID(),
    image: 'branch-workstation',
    version: '42',
    sequence: 42,
    architecture: 'amd64',
    channels: ['stable'],
    issuedAt: '2026-11-30T11:00:00.000Z',
    expiresAt: '2026-12-07T12:00:00.000Z',
    rollbackFloor: 40,
    compatibility: { architectures: ['amd64'], boot: ['uefi', 'bios'], models: [] },
    files: {
      'root.squashfs': {
        length: 123_456,
        sha256: sha('root'),
        manifest: { sha256: createHash('sha256').update(MANIFEST).digest('hex'), length: MANIFEST.length },
      },
      'boot.vfat': { length: 4096, sha256: sha('boot'), manifest: { sha256: sha('m'), length: 99 } },
    },
    buildId: randomUUID(),
    recipeDigest: sha('recipe'),
    ...over,
  };
}

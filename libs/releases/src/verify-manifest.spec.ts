import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exampleSigned, MANIFEST } from '../test/release-fixture.js';
import { ReleaseRefusedError } from './release-refusal.js';
import { verifyManifest } from './verify-manifest.js';

const signed = exampleSigned();

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ReleaseRefusedError) return err.reason;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('verifyManifest', () => {
  it('returns the bytes the release names for the file', () => {
    expect(verifyManifest(signed, 'root.squashfs', new Uint8Array(MANIFEST))).toEqual(MANIFEST);
  });

  it('refuses another hash of the same length as mix-and-match', () => {
    const changed = Buffer.from(MANIFEST);
    changed[5]! ^= 1;
    expect(reason(() => verifyManifest(signed, 'root.squashfs', changed))).toBe('mix-and-match');
    expect(() => verifyManifest(signed, 'root.squashfs', changed)).toThrow(/SHA-256/);
  });

  it('refuses another length as mix-and-match', () => {
    const longer = Buffer.concat([MANIFEST, Buffer.from(' ')]);
    expect(reason(() => verifyManifest(signed, 'root.squashfs', longer))).toBe('mix-and-match');
    expect(() => verifyManifest(signed, 'root.squashfs', longer)).toThrow(/bytes; release/);
  });

  it("refuses another file's manifest and a file the release does not list as mix-and-match", () => {
    expect(reason(() => verifyManifest(signed, 'boot.vfat', MANIFEST))).toBe('mix-and-match');
    expect(reason(() => verifyManifest(signed, 'home.squashfs', MANIFEST))).toBe('mix-and-match');
    expect(reason(() => verifyManifest(signed, 'constructor', MANIFEST))).toBe('mix-and-match');
  });

  it('leaves parsing to @muster/chunks: bytes that match are returned even if not a manifest', () => {
    const text = Buffer.from('not json');
    const manifest = { sha256: createHash('sha256').update(text).digest('hex'), length: text.length };
    const release = exampleSigned({ files: { root: { length: 1, sha256: manifest.sha256, manifest } } });
    expect(verifyManifest(release, 'root', text).toString()).toBe('not json');
  });
});

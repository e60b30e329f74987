import { describe, expect, it } from 'vitest';
import { sha256Hex } from './chunk-id.js';
import { encodeManifest, ManifestError, manifestId, parseManifest, type Manifest } from './manifest.js';
import { applyManifestPatch, patchManifest } from './manifest-patch.js';

const id = (n: number) => sha256Hex(Buffer.from(String(n)));

function manifestOf(count: number, seed = 0): Manifest {
  const chunks = Array.from({ length: count }, (_, i) => ({
    sha256: id(i + seed),
    offset: i * 1000,
    length: 1000,
    storedLength: 400 + (i % 7),
  }));
  return {
    format: 'muster.manifest.v1',
    chunking: 'fastcdc-v1',
    length: count * 1000,
    sha256: id(-1),
    chunks,
  };
}

const reasonOf = (bytes: Uint8Array | string) => {
  try {
    parseManifest(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    return 'accepted';
  } catch (error) {
    return error instanceof ManifestError ? error.reason : String(error);
  }
};

describe('manifest', () => {
  it('encodes canonically and parses back to the same manifest', () => {
    const manifest = manifestOf(50);
    const bytes = encodeManifest(manifest);
    expect(parseManifest(bytes)).toEqual(manifest);
    const reordered = JSON.stringify({ ...JSON.parse(bytes.toString()), format: 'muster.manifest.v1' });
    expect(encodeManifest(parseManifest(Buffer.from(reordered)))).toEqual(bytes);
    expect(manifestId(bytes)).toBe(sha256Hex(bytes));
  });

  it('refuses chunks that do not add up to the length', () => {
    const short = manifestOf(3);
    short.length += 1;
    expect(reasonOf(encodeManifest(short))).toBe('inconsistent');
  });

  it('refuses malformed fields, unknown fields and oversize input with distinct reasons', () => {
    const good = JSON.parse(encodeManifest(manifestOf(2)).toString()) as Record<string, unknown>;
    expect(reasonOf('{')).toBe('malformed');
    expect(reasonOf(JSON.stringify({ ...good, extra: 1 }))).toBe('malformed');
    expect(reasonOf(JSON.stringify({ ...good, format: 'other' }))).toBe('malformed');
    expect(reasonOf(JSON.stringify({ ...good, chunks: [['../../etc', 2000, 1]] }))).toBe('malformed');
    expect(reasonOf(JSON.stringify({ ...good, chunks: [[id(1), 0, 1]], length: 0 }))).toBe('malformed');
    expect(reasonOf(JSON.stringify({ ...good, chunks: [[id(1), 5 * 1024 * 1024, 1]] }))).toBe('malformed');
    expect(reasonOf(Buffer.alloc(16 * 1024 * 1024 + 1, 32))).toBe('too-large');
  });

  it('sends a manifest as a small patch against one the client holds, checked on arrival', () => {
    const base = encodeManifest(manifestOf(20_000));
    const next = manifestOf(20_000);
    next.chunks.splice(100, 0, { sha256: id(999_999), offset: 0, length: 1000, storedLength: 10 });
    next.chunks.forEach((c, i) => (c.offset = i * 1000));
    next.length += 1000;
    const target = encodeManifest(next);
    const patch = patchManifest(base, target);
    expect(patch.length).toBeLessThan(target.length / 200);
    expect(applyManifestPatch(base, patch, manifestId(target))).toEqual(target);
    expect(() => applyManifestPatch(base, patch, id(5))).toThrow(ManifestError);
    expect(() => applyManifestPatch(encodeManifest(manifestOf(10)), patch, manifestId(target))).toThrow(
      ManifestError,
    );
  });
});

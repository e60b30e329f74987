import { text } from 'node:stream/consumers';
import { Inject, Injectable } from '@nestjs/common';
import { patchManifest, sha256Hex } from '@muster/chunks';
import { manifestObjectKey } from '../chunks/object-keys.js';
import { ArtifactBucket } from '../storage/artifact-bucket.provider.js';

/** Manifests and patches kept in memory, newest use last, up to this many bytes in all. */
const CACHE_BYTES = 128 * 1024 * 1024;

/**
 * Manifests read from the bucket (checked against their id) and the patches made between them:
 * the same few are asked for by every machine of a rollout, and a patch costs a compression.
 */
@Injectable()
export class ManifestCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(@Inject(ArtifactBucket) private readonly bucket: ArtifactBucket) {}

  async manifest(sha256: string): Promise<Buffer> {
    return this.remember(`m:${sha256}`, async () => {
      const body = Buffer.from(
        await text(await this.bucket.store.get(this.bucket.name, manifestObjectKey(sha256))),
      );
      if (sha256Hex(body) !== sha256)
        throw new Error(`manifest ${sha256} in the bucket does not match its name`);
      return body;
    });
  }

  async patch(base: string, target: string): Promise<Buffer> {
    return this.remember(`p:${base}:${target}`, async () =>
      patchManifest(await this.manifest(base), await this.manifest(target)),
    );
  }

  private async remember(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const held = this.entries.get(key);
    if (held) {
      this.entries.delete(key);
      this.entries.set(key, held);
      return held;
    }
    const value = await load();
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldest, bytes] of this.entries) {
      if (this.bytes <= CACHE_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= bytes.length;
    }
    return value;
  }
}

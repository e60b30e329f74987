import { Injectable } from '@nestjs/common';
import type { Manifest } from '@muster/chunks';

/**
 * The uncompressed length of each chunk the cache has seen named: from the manifests it holds
 * and from chunks it verified. A chunk pack carries no lengths; this bounds its decompression.
 */
@Injectable()
export class ChunkLengths {
  private readonly lengths = new Map<string, number>();

  get(sha256: string): number | undefined {
    return this.lengths.get(sha256);
  }

  set(sha256: string, length: number): void {
    this.lengths.set(sha256, length);
  }

  learn(manifest: Manifest): void {
    for (const chunk of manifest.chunks) this.lengths.set(chunk.sha256, chunk.length);
  }
}

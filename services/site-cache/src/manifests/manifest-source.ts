import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MAX_MANIFEST_BYTES, parseManifest, patchManifest, sha256Hex, type Manifest } from '@muster/chunks';
import { ChunkLengths } from '../chunks/chunk-lengths.js';
import {
  OriginClient,
  OriginNotFoundError,
  OriginRefusedError,
  type RawAnswer,
} from '../origin/origin-client.js';
import { DiskStore } from '../store/disk-store.js';

/**
 * Manifests from the disk, or read through from the origin: kept only when their bytes hash to
 * their id and they parse. Concurrent misses of one manifest share one origin fetch. The chunk
 * lengths they name bound the decompression of the chunks the cache verifies.
 */
@Injectable()
export class ManifestSource implements OnModuleInit {
  private readonly inflight = new Map<string, Promise<Buffer>>();

  constructor(
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(OriginClient) private readonly origin: OriginClient,
    @Inject(ChunkLengths) private readonly lengths: ChunkLengths,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const id of this.disk.manifestIds()) {
      const bytes = await this.disk.read('manifest', id);
      if (!bytes) continue;
      try {
        if (sha256Hex(bytes) !== id) throw new Error('hash');
        this.lengths.learn(parseManifest(bytes));
      } catch {
        await this.disk.drop('manifest', id);
      }
    }
  }

  has(sha256: string): boolean {
    return this.disk.has('manifest', sha256);
  }

  /** The manifest's bytes; throws OriginNotFoundError or OriginUnavailableError when it cannot. */
  async get(sha256: string): Promise<Buffer> {
    const held = await this.disk.read('manifest', sha256);
    if (held) return held;
    let fetching = this.inflight.get(sha256);
    if (!fetching) {
      fetching = this.fetch(sha256).finally(() => this.inflight.delete(sha256));
      this.inflight.set(sha256, fetching);
    }
    return fetching;
  }

  async parsed(sha256: string): Promise<Manifest> {
    return parseManifest(await this.get(sha256));
  }

  /** `sha256` as a patch against `base`: made here when both are held, else the origin's answer. */
  async patch(sha256: string, base: string): Promise<RawAnswer> {
    const [target, held] = [await this.disk.read('manifest', sha256), await this.disk.read('manifest', base)];
    if (target && held)
      return {
        status: 200,
        contentType: 'application/vnd.muster.manifest-patch+zstd',
        body: patchManifest(held, target),
      };
    return this.origin.raw(`/v1/manifests/${sha256}?base=${base}`, MAX_MANIFEST_BYTES);
  }

  private async fetch(sha256: string): Promise<Buffer> {
    const answer = await this.origin.raw(`/v1/manifests/${sha256}`, MAX_MANIFEST_BYTES);
    if (answer.status === 404) throw new OriginNotFoundError(`manifest ${sha256}: unknown to the origin`);
    if (answer.status !== 200)
      throw new OriginRefusedError(`manifest ${sha256}: origin answered ${answer.status}`, 502);
    if (sha256Hex(answer.body) !== sha256)
      throw new OriginRefusedError(`manifest ${sha256}: the origin's bytes hash otherwise`, 502);
    let manifest: Manifest;
    try {
      manifest = parseManifest(answer.body);
    } catch (error) {
      throw new OriginRefusedError(`manifest ${sha256}: ${(error as Error).message}`, 502);
    }
    this.lengths.learn(manifest);
    await this.disk.write('manifest', sha256, answer.body);
    return answer.body;
  }
}

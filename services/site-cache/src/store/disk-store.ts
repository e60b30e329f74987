import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isSha256Hex } from '@muster/chunks';
import { LruIndex, type EntryKind, type IndexEntry } from './lru-index.js';

const SUFFIX: Record<EntryKind, string> = { chunk: '.zst', manifest: '.json' };
const FOLDER: Record<EntryKind, string> = { chunk: 'chunks', manifest: 'manifests' };
/** A use is written to the file's mtime at most this often (it orders eviction after a restart). */
const TOUCH_FILE_EVERY_MS = 60_000;

/**
 * Chunks and manifests on the cache's disk, `chunks/<2 hex>/<sha256>.zst` and
 * `manifests/<2 hex>/<sha256>.json`, with the last good release documents under `documents/`.
 * Every file is written beside its place (`tmp/`) and renamed into it, so a crash never leaves
 * a partial file under a real name. The index (sizes, last use from the mtime) is rebuilt by
 * scanning at start; what a disk read finds missing is dropped from it.
 */
export class DiskStore {
  readonly index = new LruIndex();

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly onEvict: (entry: IndexEntry) => void,
  ) {}

  static async open(dir: string, maxBytes: number, onEvict: (entry: IndexEntry) => void): Promise<DiskStore> {
    const store = new DiskStore(dir, maxBytes, onEvict);
    // Leftovers of writes a crash interrupted.
    await rm(join(dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dir, 'tmp'), { recursive: true });
    const found = [...(await store.scan('manifest')), ...(await store.scan('chunk'))];
    found.sort((a, b) => a.usedAt - b.usedAt);
    for (const entry of found) store.index.add(entry);
    return store;
  }

  has(kind: EntryKind, sha256: string): boolean {
    return this.index.has(kind, sha256);
  }

  /** The file's bytes, marked as used; undefined when it is not held. */
  async read(kind: EntryKind, sha256: string): Promise<Buffer | undefined> {
    const now = Date.now();
    const before = this.index.touch(kind, sha256, now);
    if (!before) return undefined;
    const path = this.pathOf(kind, sha256);
    try {
      const bytes = await readFile(path);
      if (now - before.usedAt > TOUCH_FILE_EVERY_MS)
        void utimes(path, new Date(now), new Date(now)).catch(() => {});
      return bytes;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.index.remove(kind, sha256);
      return undefined;
    }
  }

  /**
   * Keeps verified bytes, evicting the least recently used unpinned entries to stay under the
   * limit. False when it cannot (what is pinned fills the disk): the bytes are then not kept.
   */
  async write(kind: EntryKind, sha256: string, bytes: Uint8Array): Promise<boolean> {
    if (this.index.has(kind, sha256)) return true;
    const temp = join(this.dir, 'tmp', randomUUID());
    await writeFile(temp, bytes);
    const victims = this.index.victims(this.maxBytes, bytes.byteLength);
    if (!victims) {
      await unlink(temp).catch(() => {});
      return false;
    }
    for (const victim of victims) this.index.remove(victim.kind, victim.sha256);
    const path = this.pathOf(kind, sha256);
    try {
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    this.index.add({ kind, sha256, bytes: bytes.byteLength, usedAt: Date.now() });
    for (const victim of victims) {
      await unlink(this.pathOf(victim.kind, victim.sha256)).catch(() => {});
      this.onEvict(victim);
    }
    return true;
  }

  /** Forgets a file that turned out bad. */
  async drop(kind: EntryKind, sha256: string): Promise<void> {
    this.index.remove(kind, sha256);
    await unlink(this.pathOf(kind, sha256)).catch(() => {});
  }

  /** Every manifest held, by id. */
  manifestIds(): string[] {
    return this.index.ids('manifest');
  }

  /** A document kept under `documents/` (`parts` are names already checked). */
  async readDocument(parts: readonly string[]): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, 'documents', ...parts));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeDocument(parts: readonly string[], bytes: Uint8Array): Promise<void> {
    const path = join(this.dir, 'documents', ...parts);
    const temp = join(this.dir, 'tmp', randomUUID());
    await writeFile(temp, bytes);
    await mkdir(dirname(path), { recursive: true });
    await rename(temp, path);
  }

  async removeDocument(parts: readonly string[]): Promise<void> {
    await unlink(join(this.dir, 'documents', ...parts)).catch(() => {});
  }

  private pathOf(kind: EntryKind, sha256: string): string {
    return join(this.dir, FOLDER[kind], sha256.slice(0, 2), `${sha256}${SUFFIX[kind]}`);
  }

  private async scan(kind: EntryKind): Promise<IndexEntry[]> {
    const root = join(this.dir, FOLDER[kind]);
    await mkdir(root, { recursive: true });
    const found: IndexEntry[] = [];
    for (const prefix of await readdir(root)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(root, prefix))) {
        const sha256 = name.slice(0, -SUFFIX[kind].length);
        if (!name.endsWith(SUFFIX[kind]) || !isSha256Hex(sha256) || !sha256.startsWith(prefix)) continue;
        const info = await stat(join(root, prefix, name));
        found.push({ kind, sha256, bytes: info.size, usedAt: info.mtimeMs });
      }
    }
    return found;
  }
}

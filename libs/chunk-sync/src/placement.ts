import type { Manifest } from '@muster/chunks';
import type { ChunkGroup } from './sync-plan.js';

/** Which of the target's chunk ranges hold the right bytes, and where each came from. */
export class Placement {
  private readonly good: Uint8Array;
  private readonly from: (string | undefined)[];
  private done = 0;
  private reused = 0;

  constructor(private readonly manifest: Manifest) {
    this.good = new Uint8Array(manifest.chunks.length);
    this.from = new Array<string | undefined>(manifest.chunks.length);
  }

  get doneBytes(): number {
    return this.done;
  }

  get reusedBytes(): number {
    return this.reused;
  }

  isGood(index: number): boolean {
    return this.good[index] === 1;
  }

  /** `from` is the local path the bytes came from, or undefined when they were fetched. */
  markGood(index: number, from: string | undefined): void {
    this.markBad(index);
    const length = this.manifest.chunks[index]!.length;
    this.good[index] = 1;
    this.from[index] = from;
    this.done += length;
    if (from !== undefined) this.reused += length;
  }

  markBad(index: number): void {
    if (this.good[index] !== 1) return;
    const length = this.manifest.chunks[index]!.length;
    this.good[index] = 0;
    this.done -= length;
    if (this.from[index] !== undefined) this.reused -= length;
    this.from[index] = undefined;
  }

  goodIndexes(): number[] {
    const out: number[] = [];
    this.good.forEach((g, i) => g === 1 && out.push(i));
    return out;
  }

  /** The first good range of a chunk: its other places can be copied from there. */
  goodIndexOf(group: ChunkGroup): number | undefined {
    return group.indexes.find((i) => this.good[i] === 1);
  }

  isComplete(group: ChunkGroup): boolean {
    return group.indexes.every((i) => this.good[i] === 1);
  }

  /** Chunks with no good range at all: what must come from a seed or the network. */
  absent(groups: readonly ChunkGroup[]): ChunkGroup[] {
    return groups.filter((g) => this.goodIndexOf(g) === undefined);
  }

  /** Reused bytes and chunk ranges, by the path they came from. */
  reusedByPath(): { chunks: number; byPath: Record<string, number> } {
    const byPath: Record<string, number> = {};
    let chunks = 0;
    this.from.forEach((path, i) => {
      if (path === undefined || this.good[i] !== 1) return;
      byPath[path] = (byPath[path] ?? 0) + this.manifest.chunks[i]!.length;
      chunks += 1;
    });
    return { chunks, byPath };
  }
}

import type { FileHandle } from 'node:fs/promises';

/** How much is read at once: room for two of the largest chunks. */
const WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * A forward-only window over a file. Each refill reads into a fresh buffer (carrying the unread
 * tail over), so a slice handed out earlier stays valid however long its holder keeps it.
 */
export class FileWindow {
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
    private readonly windowBytes = WINDOW_BYTES,
  ) {}

  /** The bytes `[position, position + length)`, which must lie within the file; reads as needed. */
  async slice(position: number, length: number): Promise<Buffer> {
    const end = position + length;
    if (position < this.bufStart || end > this.size)
      throw new RangeError(`read [${position}, ${end}) out of order or past the end`);
    if (end > this.bufStart + this.buf.length) await this.refill(position, length);
    return this.buf.subarray(position - this.bufStart, end - this.bufStart);
  }

  private async refill(position: number, length: number): Promise<void> {
    const keepFrom = Math.max(position, this.bufStart);
    const carried = this.buf.subarray(keepFrom - this.bufStart);
    const want = Math.min(Math.max(this.windowBytes, length), this.size - keepFrom);
    const next = Buffer.allocUnsafe(want);
    carried.copy(next, 0);
    let filled = carried.length;
    while (filled < want) {
      const { bytesRead } = await this.file.read(next, filled, want - filled, keepFrom + filled);
      if (bytesRead === 0)
        throw new Error(`the file shrank while being chunked (at byte ${keepFrom + filled})`);
      filled += bytesRead;
    }
    this.buf = next;
    this.bufStart = keepFrom;
  }
}

import { open } from 'node:fs/promises';
import { type ChunkerOptions, fastCdcCut, fastCdcParams, type FastCdcParams } from './fastcdc.js';
import { FileWindow } from './file-window.js';
import { squashfsLayout } from './squashfs-layout.js';
import { type Segment, squashfsSegments } from './squashfs-plan.js';
import { NotSquashfsError } from './squashfs-superblock.js';

export interface CutChunk {
  offset: number;
  length: number;
  /** The chunk's bytes; a view that stays valid after the iteration moves on. */
  bytes: Buffer;
}

export type ChunkingName = 'squashfs-v1' | 'fastcdc-v1';

export interface ChunkedFile extends AsyncIterable<CutChunk> {
  /** Which chunker cuts the file; known once iteration has started (the file is opened then). */
  chunking(): ChunkingName;
}

/**
 * Cuts a whole file, streaming: squashfs-aware ("squashfs-v1") when the file is a squashfs 4.0
 * image whose inode table parses, FastCDC ("fastcdc-v1") otherwise. The chunks, in order, are
 * exactly the file's bytes; none is longer than `maxSize` (default 64 KiB, at most 4 MiB).
 */
export function chunkFile(path: string, options: ChunkerOptions = {}): ChunkedFile {
  const params = fastCdcParams(options);
  let chosen: ChunkingName | undefined;
  return {
    chunking() {
      if (!chosen) throw new Error('chunking() is known once iteration has started');
      return chosen;
    },
    async *[Symbol.asyncIterator]() {
      const file = await open(path, 'r');
      try {
        const { size } = await file.stat();
        const segments = planFile(file.fd, size, params);
        chosen = segments.chunking;
        const window = new FileWindow(file, size);
        for (const segment of segments.list) yield* cutSegment(window, segment, params);
      } finally {
        await file.close();
      }
    },
  };
}

function planFile(
  fd: number,
  size: number,
  params: FastCdcParams,
): { chunking: ChunkingName; list: Iterable<Segment> } {
  try {
    const layout = squashfsLayout(fd, size);
    return { chunking: 'squashfs-v1', list: squashfsSegments(layout, size, params.maxSize) };
  } catch (error) {
    if (!(error instanceof NotSquashfsError)) throw error;
    return { chunking: 'fastcdc-v1', list: [{ kind: 'cdc', start: 0, end: size }] };
  }
}

async function* cutSegment(window: FileWindow, s: Segment, params: FastCdcParams): AsyncGenerator<CutChunk> {
  if (s.kind === 'piece') {
    yield { offset: s.start, length: s.end - s.start, bytes: await window.slice(s.start, s.end - s.start) };
    return;
  }
  for (let at = s.start; at < s.end;) {
    const view = await window.slice(at, Math.min(params.maxSize, s.end - at));
    const length = fastCdcCut(view, 0, view.length, params);
    yield { offset: at, length, bytes: view.subarray(0, length) };
    at += length;
  }
}

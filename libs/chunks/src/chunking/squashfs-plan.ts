import type { SquashfsLayout } from './squashfs-layout.js';

/** A stretch of the file: cut as it is (`piece`), or by FastCDC (`cdc`, its end a forced cut). */
export interface Segment {
  kind: 'piece' | 'cdc';
  start: number;
  end: number;
}

/**
 * squashfs-v1: the file from 0 to `fileSize` as contiguous segments. Each data run is cut at its
 * own block ends into pieces of at most `maxSize`, packed greedily from the run's start (a single
 * block above `maxSize` is sliced in `maxSize` steps from its start and ends a piece of its own); everything between
 * runs goes to FastCDC, split at every table start and at the end of the image's used bytes.
 */
export function* squashfsSegments(
  layout: SquashfsLayout,
  fileSize: number,
  maxSize: number,
): Generator<Segment> {
  const cuts = [...layout.tableStarts, layout.bytesUsed].filter((c) => c > 0 && c < fileSize);
  cuts.sort((a, b) => a - b);
  let nextCut = 0;
  function* gap(from: number, to: number): Generator<Segment> {
    while (nextCut < cuts.length && cuts[nextCut]! <= from) nextCut++;
    let at = from;
    while (nextCut < cuts.length && cuts[nextCut]! < to) {
      yield { kind: 'cdc', start: at, end: cuts[nextCut]! };
      at = cuts[nextCut++]!;
    }
    if (at < to) yield { kind: 'cdc', start: at, end: to };
  }

  let at = 0;
  for (const run of layout.runs) {
    if (run.end > fileSize) break;
    yield* gap(at, run.start);
    let pieceStart = run.start;
    let blockStart = run.start;
    for (const blockEnd of run.blockEnds) {
      if (blockEnd - pieceStart > maxSize) {
        if (blockStart > pieceStart) yield { kind: 'piece', start: pieceStart, end: blockStart };
        pieceStart = blockStart;
        if (blockEnd - blockStart > maxSize) {
          for (; pieceStart + maxSize < blockEnd; pieceStart += maxSize)
            yield { kind: 'piece', start: pieceStart, end: pieceStart + maxSize };
          yield { kind: 'piece', start: pieceStart, end: blockEnd };
          pieceStart = blockEnd;
        }
      }
      blockStart = blockEnd;
    }
    if (run.end > pieceStart) yield { kind: 'piece', start: pieceStart, end: run.end };
    at = run.end;
  }
  yield* gap(at, fileSize);
}

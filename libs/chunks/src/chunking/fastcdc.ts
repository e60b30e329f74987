import { MAX_CHUNK_BYTES } from '../chunk-id.js';
import { createHash } from 'node:crypto';

/** Largest chunk any chunker here cuts, uncompressed (the store's MAX_CHUNK_BYTES). */
/** The largest chunk a chunker may cut: the store's limit. */
export const CHUNKER_MAX_BYTES = MAX_CHUNK_BYTES;

export interface ChunkerOptions {
  minSize?: number;
  avgSize?: number;
  maxSize?: number;
}

/** Validated FastCDC parameters: sizes and the two normalized-chunking masks. */
export interface FastCdcParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  /** Harder mask (2 more bits than the average asks) used before `avgSize`. */
  readonly maskS: number;
  /** Easier mask (2 fewer bits) used after `avgSize`: chunk sizes bunch around the average. */
  readonly maskL: number;
}

export const DEFAULT_CHUNKER_OPTIONS = { minSize: 4096, avgSize: 16384, maxSize: 65536 } as const;

/**
 * The gear table: 256 pseudo-random 32-bit words, derived from a fixed label so that the same
 * bytes cut the same way everywhere, for ever ("fastcdc-v1"; a spec pins known boundaries).
 */
const GEAR = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++)
    table[i] = createHash('sha256').update(`muster.fastcdc.v1:${i}`).digest().readInt32LE(0);
  return table;
})();

/** The top `bits` bits: in a left-shifting gear hash they depend on the most recent bytes. */
function topMask(bits: number): number {
  return bits <= 0 ? 0 : (0xffffffff << (32 - Math.min(bits, 32))) | 0;
}

export function fastCdcParams(options: ChunkerOptions = {}): FastCdcParams {
  const minSize = options.minSize ?? DEFAULT_CHUNKER_OPTIONS.minSize;
  const avgSize = options.avgSize ?? DEFAULT_CHUNKER_OPTIONS.avgSize;
  const maxSize = options.maxSize ?? DEFAULT_CHUNKER_OPTIONS.maxSize;
  for (const [name, v] of Object.entries({ minSize, avgSize, maxSize }))
    if (!Number.isSafeInteger(v) || v < 64) throw new RangeError(`${name} must be an integer ≥ 64, not ${v}`);
  if (!(minSize < avgSize && avgSize < maxSize))
    throw new RangeError(`chunk sizes must rise: min ${minSize} < avg ${avgSize} < max ${maxSize}`);
  if (maxSize > CHUNKER_MAX_BYTES)
    throw new RangeError(`maxSize ${maxSize} is above the ${CHUNKER_MAX_BYTES}-byte chunk limit`);
  const bits = Math.round(Math.log2(avgSize));
  return { minSize, avgSize, maxSize, maskS: topMask(bits + 2), maskL: topMask(bits - 2) };
}

/**
 * Length of the next chunk of `data[start, end)`, where `end` is the end of the data (or a
 * forced cut): FastCDC with cut-point skipping up to `minSize` and normalized chunking. The
 * result is at most `maxSize`, and is `end - start` when that is at most `minSize`.
 */
export function fastCdcCut(data: Uint8Array, start: number, end: number, p: FastCdcParams): number {
  let n = end - start;
  if (n <= p.minSize) return n;
  if (n > p.maxSize) n = p.maxSize;
  const normal = Math.min(p.avgSize, n);
  const { maskS, maskL } = p;
  const gear = GEAR;
  let h = 0;
  let i = start + p.minSize;
  const stopS = start + normal;
  const stopL = start + n;
  // Unrolled by four (the same cuts as one byte at a time; the pinned spec was made before):
  // 1.5× the plain loop in V8 here (bench/chunking).
  for (; i + 3 < stopS; i += 4) {
    h = ((h << 1) + gear[data[i]!]!) | 0;
    if ((h & maskS) === 0) return i - start + 1;
    h = ((h << 1) + gear[data[i + 1]!]!) | 0;
    if ((h & maskS) === 0) return i - start + 2;
    h = ((h << 1) + gear[data[i + 2]!]!) | 0;
    if ((h & maskS) === 0) return i - start + 3;
    h = ((h << 1) + gear[data[i + 3]!]!) | 0;
    if ((h & maskS) === 0) return i - start + 4;
  }
  for (; i < stopS; i++) {
    h = ((h << 1) + gear[data[i]!]!) | 0;
    if ((h & maskS) === 0) return i - start + 1;
  }
  for (; i + 3 < stopL; i += 4) {
    h = ((h << 1) + gear[data[i]!]!) | 0;
    if ((h & maskL) === 0) return i - start + 1;
    h = ((h << 1) + gear[data[i + 1]!]!) | 0;
    if ((h & maskL) === 0) return i - start + 2;
    h = ((h << 1) + gear[data[i + 2]!]!) | 0;
    if ((h & maskL) === 0) return i - start + 3;
    h = ((h << 1) + gear[data[i + 3]!]!) | 0;
    if ((h & maskL) === 0) return i - start + 4;
  }
  for (; i < stopL; i++) {
    h = ((h << 1) + gear[data[i]!]!) | 0;
    if ((h & maskL) === 0) return i - start + 1;
  }
  return n;
}

/** Every chunk end (exclusive offsets, the last one `data.length`) of a whole buffer. */
export function fastCdcBoundaries(data: Uint8Array, options: ChunkerOptions | FastCdcParams = {}): number[] {
  const p = 'maskS' in options ? options : fastCdcParams(options);
  const ends: number[] = [];
  for (let at = 0; at < data.length;) {
    at += fastCdcCut(data, at, data.length, p);
    ends.push(at);
  }
  return ends;
}

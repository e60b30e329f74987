import { open, stat } from 'node:fs/promises';
import { sha256Hex, type Manifest } from '@muster/chunks';
import type { Placement } from './placement.js';
import { readRange, type TargetFile } from './target-file.js';
import { seedOffers, type ChunkGroup } from './sync-plan.js';
import type { SeedChunker, SyncSeed, SyncWarning } from './sync-types.js';

export interface LocalContext {
  manifest: Manifest;
  groups: readonly ChunkGroup[];
  placement: Placement;
  target: TargetFile;
  signal: AbortSignal | undefined;
  warn: (warning: SyncWarning) => void;
  progress: () => void;
}

/**
 * Resume: every chunk range of the target that already holds the right bytes is kept, every
 * other is marked bad. Ranges in `trusted` (from the journal) are taken without hashing; ranges
 * past `size` are not read. A range already good keeps where it came from.
 */
export async function scanTarget(
  ctx: LocalContext,
  trusted: ReadonlySet<number>,
  size: number | undefined,
): Promise<void> {
  for (const [index, chunk] of ctx.manifest.chunks.entries()) {
    ctx.signal?.throwIfAborted();
    const end = chunk.offset + chunk.length;
    if (size !== undefined && end > size) continue;
    if (trusted.has(index)) {
      if (!ctx.placement.isGood(index)) ctx.placement.markGood(index, ctx.target.path);
    } else if (sha256Hex(await ctx.target.read(chunk.offset, chunk.length)) !== chunk.sha256) {
      ctx.placement.markBad(index);
    } else if (!ctx.placement.isGood(index)) {
      ctx.placement.markGood(index, ctx.target.path);
    }
  }
  ctx.progress();
}

/**
 * Chunks the target lacks, read from seeds where their manifests say they are. A seed's manifest
 * is only a hint: each range is hashed, and a range that does not match is fetched instead. A
 * seed without a manifest is cut by `chunkSeed` when given (skipped otherwise), and each piece
 * whose hash the target wants is used.
 */
export async function reuseSeeds(
  ctx: LocalContext,
  seeds: readonly SyncSeed[],
  chunkSeed: SeedChunker | undefined,
): Promise<void> {
  const targetInfo = await ctx.target.handle.stat();
  for (const seed of seeds) {
    if (!seed.manifest && !chunkSeed) {
      ctx.warn({ kind: 'seed-skipped', path: seed.path, reason: 'no manifest' });
      continue;
    }
    const info = await stat(seed.path).catch((error: Error) => error);
    if (info instanceof Error) {
      ctx.warn({ kind: 'seed-skipped', path: seed.path, reason: info.message });
      continue;
    }
    // Copying a file onto itself at other offsets would overwrite ranges still to be read.
    const same = info.isBlockDevice()
      ? targetInfo.isBlockDevice() && info.rdev === targetInfo.rdev
      : info.dev === targetInfo.dev && info.ino === targetInfo.ino;
    if (same) {
      ctx.warn({ kind: 'seed-skipped', path: seed.path, reason: 'it is the target' });
      continue;
    }
    const wanted = new Map(ctx.placement.absent(ctx.groups).map((g) => [g.sha256, g]));
    if (wanted.size === 0) return;
    if (seed.manifest) await reuseByManifest(ctx, seed.path, seed.manifest, wanted);
    else await reuseByCutting(ctx, seed.path, chunkSeed!, wanted);
  }
}

async function reuseByManifest(
  ctx: LocalContext,
  path: string,
  manifest: Manifest,
  wanted: ReadonlyMap<string, ChunkGroup>,
): Promise<void> {
  const handle = await open(path, 'r');
  let stale = 0;
  try {
    for (const { group, offset } of seedOffers(manifest, wanted)) {
      ctx.signal?.throwIfAborted();
      const bytes = await readRange(handle, offset, group.length);
      if (bytes.length !== group.length || sha256Hex(bytes) !== group.sha256) {
        stale += 1;
        continue;
      }
      await place(ctx, group, bytes, path);
    }
  } finally {
    await handle.close();
  }
  if (stale > 0) ctx.warn({ kind: 'stale-seed', path, chunks: stale });
}

async function reuseByCutting(
  ctx: LocalContext,
  path: string,
  chunkSeed: SeedChunker,
  wanted: Map<string, ChunkGroup>,
): Promise<void> {
  for await (const { bytes } of chunkSeed(path)) {
    ctx.signal?.throwIfAborted();
    const group = wanted.get(sha256Hex(bytes));
    if (!group || group.length !== bytes.length) continue;
    wanted.delete(group.sha256);
    await place(ctx, group, bytes, path);
    if (wanted.size === 0) return;
  }
}

/** A chunk good at one place in the target is copied to its other places. */
export async function fillDuplicates(ctx: LocalContext): Promise<void> {
  for (const group of ctx.groups) {
    const good = ctx.placement.goodIndexOf(group);
    if (good === undefined || ctx.placement.isComplete(group)) continue;
    ctx.signal?.throwIfAborted();
    const chunk = ctx.manifest.chunks[good]!;
    const bytes = await ctx.target.read(chunk.offset, chunk.length);
    await place(ctx, group, bytes, ctx.target.path);
  }
}

/** Writes verified bytes of a chunk to every place of it not yet good. */
export async function place(
  ctx: Pick<LocalContext, 'manifest' | 'placement' | 'target' | 'progress'>,
  group: ChunkGroup,
  bytes: Uint8Array,
  from: string | undefined,
): Promise<void> {
  for (const index of group.indexes) {
    if (ctx.placement.isGood(index)) continue;
    await ctx.target.write(bytes, ctx.manifest.chunks[index]!.offset);
    ctx.placement.markGood(index, from);
  }
  ctx.progress();
}

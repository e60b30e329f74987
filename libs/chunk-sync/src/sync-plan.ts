import { MAX_CHUNKS_PER_FETCH, type Manifest } from '@muster/chunks';

/** One distinct chunk of the target and every place it goes. */
export interface ChunkGroup {
  sha256: string;
  length: number;
  storedLength: number;
  /** Indexes into the manifest's chunks, in file order. */
  indexes: number[];
}

/** The target's chunks grouped by id, in first-use order. */
export function groupChunks(manifest: Manifest): ChunkGroup[] {
  const byId = new Map<string, ChunkGroup>();
  manifest.chunks.forEach((chunk, index) => {
    const group = byId.get(chunk.sha256);
    if (group) group.indexes.push(index);
    else
      byId.set(chunk.sha256, {
        sha256: chunk.sha256,
        length: chunk.length,
        storedLength: chunk.storedLength,
        indexes: [index],
      });
  });
  return [...byId.values()];
}

/**
 * Groups cut into requests of about `batchBytes` stored bytes each (a chunk bigger than that
 * goes alone), never more ids than one request may name.
 */
export function batchByStoredBytes(
  groups: readonly ChunkGroup[],
  batchBytes: number,
  maxIds = MAX_CHUNKS_PER_FETCH,
): ChunkGroup[][] {
  const batches: ChunkGroup[][] = [];
  let current: ChunkGroup[] = [];
  let bytes = 0;
  for (const group of groups) {
    if (current.length > 0 && (bytes + group.storedLength > batchBytes || current.length >= maxIds)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(group);
    bytes += group.storedLength;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Where a seed claims to hold a chunk the target needs. */
export interface SeedOffer {
  group: ChunkGroup;
  offset: number;
}

/**
 * The ranges of a seed worth reading: one per wanted chunk the seed's manifest names with the
 * same length, in seed order so the reads go forward through the file.
 */
export function seedOffers(seed: Manifest, wanted: ReadonlyMap<string, ChunkGroup>): SeedOffer[] {
  const offers = new Map<string, SeedOffer>();
  for (const chunk of seed.chunks) {
    const group = wanted.get(chunk.sha256);
    if (group && group.length === chunk.length && !offers.has(chunk.sha256))
      offers.set(chunk.sha256, { group, offset: chunk.offset });
  }
  return [...offers.values()];
}

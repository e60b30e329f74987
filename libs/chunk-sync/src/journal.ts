import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

const FORMAT = 'muster.chunk-sync.journal.v1';
/** A journal for a million chunks is 167 KiB of JSON; anything bigger is not ours. */
const MAX_JOURNAL_BYTES = 512 * 1024;

/**
 * A hint, not a record to rely on: which chunk ranges of the target were written and verified,
 * for the manifest named. A resume skips hashing them; the final whole-file hash still decides.
 */
export function encodeJournal(manifestId: string, chunkCount: number, good: readonly number[]): string {
  const bits = Buffer.alloc(Math.ceil(chunkCount / 8));
  for (const index of good) bits[index >> 3]! |= 1 << (index & 7);
  return JSON.stringify({
    format: FORMAT,
    manifest: manifestId,
    chunks: chunkCount,
    good: bits.toString('base64'),
  });
}

/** The indexes a journal names as good, or nothing when it is for another manifest or unreadable. */
export function decodeJournal(text: string, manifestId: string, chunkCount: number): number[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const j = value as { format?: unknown; manifest?: unknown; chunks?: unknown; good?: unknown };
  if (
    j.format !== FORMAT ||
    j.manifest !== manifestId ||
    j.chunks !== chunkCount ||
    typeof j.good !== 'string'
  )
    return undefined;
  const bits = Buffer.from(j.good, 'base64');
  if (bits.length !== Math.ceil(chunkCount / 8)) return undefined;
  const good: number[] = [];
  for (let index = 0; index < chunkCount; index += 1)
    if ((bits[index >> 3]! >> (index & 7)) & 1) good.push(index);
  return good;
}

/** Where a target's journal lives: beside a regular file; under `stateDir` for a device (or nowhere). */
export function journalPath(
  target: string,
  isDevice: boolean,
  stateDir: string | undefined,
): string | undefined {
  if (!isDevice) return `${target}.muster-sync`;
  if (!stateDir) return undefined;
  const tag = createHash('sha256').update(resolve(target)).digest('hex').slice(0, 16);
  return join(stateDir, `${basename(target)}-${tag}.muster-sync`);
}

export class Journal {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly manifestId: string,
    private readonly chunkCount: number,
  ) {}

  async load(): Promise<number[]> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    if (text.length === 0 || text.length > MAX_JOURNAL_BYTES) return [];
    return decodeJournal(text, this.manifestId, this.chunkCount) ?? [];
  }

  /** Writes are queued one after another and each replaces the file whole (rename). */
  save(good: readonly number[]): Promise<void> {
    const text = encodeJournal(this.manifestId, this.chunkCount, good);
    const next = this.writing.then(async () => {
      await writeFile(`${this.path}.tmp`, text);
      await rename(`${this.path}.tmp`, this.path);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  async remove(): Promise<void> {
    await this.writing;
    await rm(this.path, { force: true });
  }
}

import type { LogLine } from '../builds/build-log.repository.js';

/** Lines kept per build, over all its attempts; the last one kept says that the rest were dropped. */
export const MAX_LOG_LINES = 100_000;
/** Bytes (UTF-8) kept of one line; a longer one is cut and says so. */
export const MAX_LINE_BYTES = 4096;
const FLUSH_EVERY_MS = 500;
const FLUSH_AT_LINES = 500;
/** Lines held while the database does not take them; beyond, they are dropped (and counted). */
const MAX_PENDING = 10_000;

/** One line as stored: NUL (which PostgreSQL refuses) replaced, cut at MAX_LINE_BYTES. */
export function storedLine(line: string): string {
  const clean = line.replaceAll('\u0000', '\ufffd');
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= MAX_LINE_BYTES) return clean;
  let end = MAX_LINE_BYTES;
  // Back off to the start of a UTF-8 character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')} … [line truncated: ${bytes.length} bytes]`;
}

/**
 * A build's log on its way to the database: `add` is synchronous (the builder calls it for
 * each line), lines are written in batches every half second (or every 500 lines), numbered on
 * from what earlier attempts stored. Past MAX_LOG_LINES a last line says so and the rest is dropped.
 */
export class BuildLogSink {
  private pending: LogLine[] = [];
  private nextSeq: number;
  private full = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (lines: LogLine[]) => Promise<void>,
    lastStoredSeq: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.nextSeq = lastStoredSeq + 1;
    this.full = lastStoredSeq >= MAX_LOG_LINES;
  }

  add(line: string): void {
    if (this.full) return;
    if (this.nextSeq === MAX_LOG_LINES) {
      this.full = true;
      this.push(`[log limit reached: only the first ${MAX_LOG_LINES} lines of a build are kept]`);
    } else {
      this.push(storedLine(line));
    }
    if (this.pending.length >= FLUSH_AT_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes what is pending; resolves once it is stored (or could not be). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeOnce());
    return this.writing;
  }

  private push(line: string): void {
    if (this.pending.length >= MAX_PENDING) {
      this.nextSeq++;
      return;
    }
    this.pending.push({ seq: this.nextSeq++, at: new Date(), line });
  }

  private async writeOnce(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.write(batch);
    } catch (err) {
      // Kept for the next flush, newest dropped first when too many wait.
      this.pending = [...batch, ...this.pending].slice(0, MAX_PENDING);
      this.onError(err);
    }
  }
}

import { open, type FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;
const BLOCK = 64 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/**
 * Copies the file `from` into `out` at byte `offset`, skipping blocks of zeros: `out` is a new
 * sparse file, already zero there, so the image only takes the space its data needs.
 */
export async function copyInto(
  out: FileHandle,
  from: string,
  offset: number,
  signal?: AbortSignal,
): Promise<number> {
  const src = await open(from, 'r');
  const buf = Buffer.alloc(CHUNK);
  let done = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await src.read(buf, 0, CHUNK, done);
      if (bytesRead === 0) return done;
      for (let at = 0; at < bytesRead; at += BLOCK) {
        const block = buf.subarray(at, Math.min(at + BLOCK, bytesRead));
        if (!block.equals(ZERO_BLOCK.subarray(0, block.length))) {
          await writeFully(out, block, offset + done + at);
        }
      }
      done += bytesRead;
    }
  } finally {
    await src.close();
  }
}

export async function writeFully(out: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await out.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

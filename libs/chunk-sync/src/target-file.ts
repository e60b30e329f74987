import { createHash } from 'node:crypto';
import { constants, type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { SyncError } from './sync-types.js';

const HASH_READ_BYTES = 4 * 1024 * 1024;

/**
 * The file or block device being written. A device (or a file treated as one) is written in
 * place: never created, extended or truncated. A regular file is created when absent, written
 * at chunk offsets (growing as it must) and truncated to the manifest's length at the end.
 */
export class TargetFile {
  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    readonly isDevice: boolean,
    /** Bytes readable at open: the file's size, or the device's when known. */
    readonly initialSize: number | undefined,
  ) {}

  static async open(path: string, kind: 'auto' | 'file' | 'device', length: number): Promise<TargetFile> {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && kind !== 'device') return undefined;
      throw error;
    });
    const isDevice = kind === 'device' || (kind === 'auto' && info?.isBlockDevice() === true);
    const handle = await open(
      path,
      isDevice ? constants.O_RDWR : constants.O_RDWR | constants.O_CREAT,
      0o644,
    );
    try {
      const size = info?.isBlockDevice() ? await blockDeviceSize(info.rdev) : (info?.size ?? 0);
      if (isDevice && size !== undefined && size < length)
        throw new SyncError('target-too-small', `${path} holds ${size} bytes, the file needs ${length}`);
      return new TargetFile(path, handle, isDevice, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  read(offset: number, length: number): Promise<Buffer> {
    return readRange(this.handle, offset, length);
  }

  async write(bytes: Uint8Array, offset: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, offset + done);
      done += bytesWritten;
    }
  }

  /** A regular file ends at the manifest's length; a device keeps whatever follows. */
  async finish(length: number): Promise<void> {
    if (!this.isDevice) await this.handle.truncate(length);
  }

  async sha256(length: number, signal?: AbortSignal): Promise<string> {
    const hash = createHash('sha256');
    for (let offset = 0; offset < length; offset += HASH_READ_BYTES) {
      signal?.throwIfAborted();
      const bytes = await this.read(offset, Math.min(HASH_READ_BYTES, length - offset));
      hash.update(bytes);
      if (bytes.length < Math.min(HASH_READ_BYTES, length - offset)) break;
    }
    return hash.digest('hex');
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Up to `length` bytes at `offset`; fewer only at the end of the file. */
export async function readRange(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** A block device's size from sysfs (stat gives 0 for devices); undefined when sysfs does not say. */
async function blockDeviceSize(rdev: number): Promise<number | undefined> {
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    return Number.isSafeInteger(sectors) ? sectors * 512 : undefined;
  } catch {
    return undefined;
  }
}

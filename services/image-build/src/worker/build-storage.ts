import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildFailedError, type PackageRecord } from '@muster/image-builder';
import { ObjectNotFoundError, type ObjectStore } from '@muster/object-store';
import { packageObjectKey } from '../storage/object-keys.js';

/** A pass-through that hashes what goes through it. */
function hashing(): { through: Transform; hex: () => string } {
  const hash = createHash('sha256');
  const through = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { through, hex: () => hash.digest('hex') };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Stores a file, hashing the bytes as they are sent: the object holds exactly what the builder
 * hashed (`sha256`), or the upload is refused with the two digests.
 */
export async function uploadVerified(
  store: ObjectStore,
  bucket: string,
  key: string,
  path: string,
  sha256: string,
): Promise<number> {
  const { size } = await stat(path);
  const { through, hex } = hashing();
  const source = createReadStream(path).pipe(through);
  await store.put(bucket, key, source, { size });
  const sent = hex();
  if (sent !== sha256) {
    await store.delete(bucket, key);
    throw new BuildFailedError('uploading', `${key}: the bytes sent hash to ${sent}, not ${sha256}`, true);
  }
  return size;
}

/**
 * Keeps a .deb the build installed, once per SHA-256 for every build: an object already there
 * with the record's size is left as it is; otherwise the local file is checked against the
 * record and stored, then its size read back.
 */
export async function keepDeb(
  store: ObjectStore,
  bucket: string,
  record: PackageRecord,
  path: string,
): Promise<'kept' | 'stored'> {
  const key = packageObjectKey(record.sha256);
  const existing = await store.stat(bucket, key);
  if (existing?.size === record.sizeBytes) return 'kept';
  const local = await sha256File(path);
  if (local !== record.sha256) {
    throw new BuildFailedError(
      'uploading',
      `${record.name} ${record.version}: the downloaded .deb hashes to ${local}, not to the archive's ${record.sha256}`,
      true,
    );
  }
  await uploadVerified(store, bucket, key, path, record.sha256);
  const stored = await store.stat(bucket, key);
  if (stored?.size !== record.sizeBytes) {
    throw new BuildFailedError(
      'uploading',
      `${key}: stored ${stored?.size ?? 'nothing'}, not ${record.sizeBytes} bytes`,
      true,
    );
  }
  return 'stored';
}

/**
 * Writes a kept .deb to `dest`, checking its SHA-256 as it is read; a missing or altered object
 * fails the build for good (the package set it builds from is no longer what was kept).
 */
export async function fetchKeptDeb(
  store: ObjectStore,
  bucket: string,
  record: PackageRecord,
  dest: string,
): Promise<void> {
  const key = packageObjectKey(record.sha256);
  let body: Readable;
  try {
    body = await store.get(bucket, key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) {
      throw new BuildFailedError(
        'bootstrapping',
        `kept package ${record.name} ${record.version} is missing (${key})`,
        false,
      );
    }
    // The object store is away: trying later may work.
    throw new BuildFailedError('bootstrapping', `could not read ${key}: ${(err as Error).message}`, true);
  }
  const { through, hex } = hashing();
  await pipeline(body, through, createWriteStream(dest));
  const got = hex();
  if (got !== record.sha256) {
    await rm(dest, { force: true });
    throw new BuildFailedError(
      'bootstrapping',
      `kept package ${record.name} ${record.version} (${key}) hashes to ${got}, not ${record.sha256}`,
      false,
    );
  }
}

export async function putJson(store: ObjectStore, bucket: string, key: string, doc: unknown): Promise<void> {
  await store.put(bucket, key, Buffer.from(`${JSON.stringify(doc, null, 2)}\n`), {
    contentType: 'application/json',
  });
}

import type * as minio from 'minio';
import type { UploadTarget } from './streamed-upload.js';

/** The S3 calls of a streamed put, for one object. */
export function s3UploadTarget(
  client: minio.Client,
  bucket: string,
  key: string,
  headers: Record<string, string>,
): UploadTarget {
  return {
    putSingle: async (buf) => (await client.putObject(bucket, key, buf, buf.length, { ...headers })).etag,
    createMultipart: () => client.initiateNewMultipartUpload(bucket, key, { ...headers }),
    uploadPart: async (uploadId, partNumber, buf) =>
      (
        await client.uploadPart(
          { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} },
          buf,
        )
      ).etag,
    complete: (uploadId, parts) =>
      completeUpload(
        client,
        bucket,
        key,
        uploadId,
        parts.map((p) => ({ part: p.partNumber, etag: p.etag })),
      ),
    abort: (uploadId) => client.abortMultipartUpload(bucket, key, uploadId),
  };
}

/** Completes a multipart upload and returns the object's etag. */
export async function completeUpload(
  client: minio.Client,
  bucket: string,
  key: string,
  uploadId: string,
  parts: { part: number; etag: string }[],
): Promise<string> {
  const { etag } = await client.completeMultipartUpload(bucket, key, uploadId, parts);
  if (etag) return etag;
  // radosgw 16 leaves <ETag> empty in its CompleteMultipartUploadResult; the object has one.
  return (await client.statObject(bucket, key)).etag;
}

/** Whether the upload is still open (true when that cannot be told). */
export async function uploadExists(
  client: minio.Client,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<boolean> {
  try {
    const { uploads } = await client.listIncompleteUploadsQuery(bucket, key, '', '', '');
    return uploads.some((u) => u.key === key && u.uploadId === uploadId);
  } catch {
    return true;
  }
}

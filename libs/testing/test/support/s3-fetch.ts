import { createHash } from 'node:crypto';
import { signRequest } from '../../src/internal/sigv4.js';

export interface S3Credentials {
  url: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/** A SigV4-signed path-style S3 request with fetch() (only libs/object-store may use an S3 client). */
export function s3Fetch(s3: S3Credentials, method: string, path: string, body?: Buffer): Promise<Response> {
  const url = new URL(path, s3.url);
  const payloadSha256 = createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');
  const headers = signRequest({
    method,
    url,
    region: s3.region,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    payloadSha256,
  });
  delete headers['host'];
  return fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined });
}

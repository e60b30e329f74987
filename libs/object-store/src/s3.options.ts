export interface S3ObjectStoreOptions {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  /** Region requests are signed for; default us-east-1. Always set, so signing never asks the server. */
  region?: string;
  /** Path-style addressing (http://host/bucket/key), the only style supported. */
  pathStyle?: true;
  /**
   * Default host for presigned URLs when it differs from the endpoint (services talk to the
   * store inside the cluster, machines fetch through a public name): `host[:port]` or a URL.
   */
  presignHost?: string;
  /** Part size of multipart uploads; default 16 MiB (objects up to ~156 GiB of unknown size). Min 5 MiB. */
  partSize?: number;
  /** Parts uploaded in parallel per put; default 4. Memory per put is about (this + 1) × partSize. */
  partConcurrency?: number;
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { S3ObjectStore, type ObjectStore } from '@muster/object-store';
import { ReadinessRegistry } from '@muster/observability';

export interface BuildStorageConfig {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

export const BUILD_STORAGE_CONFIG = Symbol('BUILD_STORAGE_CONFIG');

/** Key probed by the readiness check; it need not exist, the server only has to answer. */
const READINESS_PROBE_KEY = '.muster/readiness';

/** The build-output bucket (outputs, provenance, SBOMs, kept packages): created at start. */
@Injectable()
export class BuildBucket implements OnModuleInit {
  readonly store: ObjectStore;
  readonly name: string;

  constructor(
    @Inject(BUILD_STORAGE_CONFIG) config: BuildStorageConfig,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {
    const url = new URL(config.endpoint);
    const useSSL = url.protocol === 'https:';
    this.store = new S3ObjectStore({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      pathStyle: true,
    });
    this.name = config.bucket;
  }

  async onModuleInit(): Promise<void> {
    await this.store.ensureBucket(this.name);
    this.readiness.register('s3', async () => {
      await this.store.stat(this.name, READINESS_PROBE_KEY);
    });
  }
}

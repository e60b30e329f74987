import { Inject, Injectable } from '@nestjs/common';
import { contracts, type ImageBuildCompleted } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { BuildIngest } from './build-ingest.js';

/** One completed build at a time: ingest is long (minutes for a large image) and heavy on S3. */
@Injectable()
export class BuildIngestHandlers {
  constructor(@Inject(BuildIngest) private readonly ingest: BuildIngest) {}

  @OnEvent(contracts.imageBuildCompleted, {
    durable: 'artifact-store-build-completed',
    batchSize: 1,
    maxInFlight: 1,
    ackWaitMs: 60_000,
  })
  async onCompleted(deliveries: readonly Delivery<ImageBuildCompleted>[]): Promise<void> {
    for (const { message } of deliveries) await this.ingest.ingest(message);
  }
}

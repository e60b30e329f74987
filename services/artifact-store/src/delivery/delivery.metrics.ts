import { Inject, Injectable } from '@nestjs/common';
import { Metrics } from '@muster/observability';
import type { Counter } from 'prom-client';

/** What the store served and what it refused, by reason. */
@Injectable()
export class DeliveryMetrics {
  private readonly chunks: Counter;
  private readonly bytes: Counter;
  private readonly refusals: Counter<'reason'>;

  constructor(@Inject(Metrics) metrics: Metrics) {
    this.chunks = metrics.counter({ name: 'muster_artifact_chunks_served_total', help: 'Chunks served.' });
    this.bytes = metrics.counter({
      name: 'muster_artifact_stored_bytes_served_total',
      help: 'Stored (compressed) chunk bytes served, pack headers included.',
    });
    this.refusals = metrics.counter({
      name: 'muster_artifact_refusals_total',
      help: 'Requests refused, by reason.',
      labelNames: ['reason'],
    });
  }

  served(chunks: number, bytes: number): void {
    this.chunks.inc(chunks);
    this.bytes.inc(bytes);
  }

  refused(reason: string, count = 1): void {
    this.refusals.inc({ reason }, count);
  }
}

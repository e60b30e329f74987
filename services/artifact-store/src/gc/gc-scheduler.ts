import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';
import { GarbageCollector } from './garbage-collector.repository.js';

/** Runs garbage collection every MUSTER_GC_INTERVAL_SECONDS (0: only when asked). */
@Injectable()
export class GcScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(GcScheduler.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(GarbageCollector) private readonly gc: GarbageCollector,
    @Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.gcIntervalSeconds === 0) return;
    this.timer = setInterval(
      () =>
        void this.gc
          .collect()
          .catch((error: unknown) => this.log.warn(`garbage collection failed: ${String(error)}`)),
      this.settings.gcIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

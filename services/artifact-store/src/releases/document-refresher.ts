import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ReleaseLifecycle } from './release-lifecycle.repository.js';

/** How often documents are checked for re-signing. */
const REFRESH_EVERY_MS = 10 * 60 * 1000;

/** Re-signs release documents before they expire, at start and every ten minutes. */
@Injectable()
export class DocumentRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DocumentRefresher.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(ReleaseLifecycle) private readonly lifecycle: ReleaseLifecycle) {}

  onApplicationBootstrap(): void {
    const tick = () =>
      void this.lifecycle
        .refresh()
        .catch((error: unknown) => this.log.warn(`re-signing documents failed: ${String(error)}`));
    tick();
    this.timer = setInterval(tick, REFRESH_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

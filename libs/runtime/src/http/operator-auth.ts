import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OperatorTokens } from '@muster/api-auth';
import { BusConnection } from '@muster/messaging';
import { LOGGER, type Logger } from '@muster/observability';

/** The service's watched copy of the operator tokens, closed (last uses written) on shutdown. */
@Injectable()
export class OperatorAuth implements OnModuleDestroy {
  readonly tokens: OperatorTokens;

  constructor(@Inject(BusConnection) bus: BusConnection, @Inject(LOGGER) logger: Logger) {
    this.tokens = OperatorTokens.start(bus, { logger });
  }

  async onModuleDestroy(): Promise<void> {
    await this.tokens.close().catch(() => undefined);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { GetMachineRequestSchema, queries } from '@muster/contracts';
import { QueryClient } from '@muster/messaging';
import { LOGGER, type Logger } from '@muster/observability';
import type { AgentConnection } from './agent-connection.js';
import { gatewayFrame } from './agent-frame.codec.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * Sends a connecting agent what its machine should run, from inventory's record. The connection
 * does not wait for it: while inventory does not answer, this keeps asking (with back-off) for
 * as long as the connection lasts, so a missed command is never the only way to converge.
 */
@Injectable()
export class DesiredStateSender {
  constructor(
    @Inject(QueryClient) private readonly query: QueryClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sendTo(connection: AgentConnection): Promise<void> {
    let delay = FIRST_RETRY_MS;
    while (connection.isOpen) {
      try {
        const answer = await this.query.request(
          queries.getMachine,
          create(GetMachineRequestSchema, { machineId: connection.agent.machineId }),
        );
        const m = answer.machine;
        if (!answer.found || !m) {
          this.logger.warn(
            { agentId: connection.agentId, machineId: connection.agent.machineId },
            'machine unknown to inventory',
          );
          return;
        }
        connection.sendFrame(
          gatewayFrame({
            frame: {
              case: 'desiredState',
              value: {
                machineId: m.machineId,
                siteId: m.siteId,
                groupId: m.groupId,
                profileId: m.profileId,
                desiredReleaseId: m.desiredReleaseId,
                labels: m.labels,
                revision: m.revision,
              },
            },
          }),
        );
        return;
      } catch (err) {
        const level = delay === FIRST_RETRY_MS ? 'warn' : 'debug';
        this.logger[level]({ err, agentId: connection.agentId }, 'desired state not available yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        delay = Math.min(MAX_RETRY_MS, delay * 2);
      }
    }
  }
}

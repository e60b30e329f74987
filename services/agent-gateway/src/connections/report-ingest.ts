import { Inject, Injectable } from '@nestjs/common';
import { contracts, type AgentFacts, type AgentHeartbeat, type AgentStatus } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';

export type Report =
  | { case: 'heartbeat'; value: AgentHeartbeat }
  | { case: 'status'; value: AgentStatus }
  | { case: 'facts'; value: AgentFacts };

/** How many publishes may wait for their PubAck at once, across all agents of this instance. */
const MAX_IN_FLIGHT = 2_000;

/**
 * Puts an agent's report on the bus and resolves once JetStream has stored it: status and facts
 * into AGENT_TELEMETRY, the heartbeat as the agent's key in AGENT_HEARTBEATS. The message id is
 * `<agentId>:<seq>`, so a report stored before and sent again (a lost acknowledgement, a
 * gateway that crashed before it wrote last_seq) is dropped by JetStream inside its
 * duplicate window (2 h; PubAck says `duplicate`), and beyond it by the consumers, which apply
 * an agent's reports only above the seq they hold (orderedBy `seq`). Publishes of many agents
 * overlap (each waits only for its own PubAck), bounded by MAX_IN_FLIGHT.
 */
@Injectable()
export class ReportIngest {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}

  /** Resolves with whether JetStream already had this report. */
  async store(siteId: string, report: Report): Promise<{ duplicate: boolean }> {
    await this.slot();
    try {
      const params = { siteId, agentId: report.value.agentId };
      const options = { id: `${report.value.agentId}:${report.value.seq}`, about: report.value.agentId };
      const ack =
        report.case === 'heartbeat'
          ? await this.publisher.publish(contracts.agentHeartbeat, params, report.value, options)
          : report.case === 'status'
            ? await this.publisher.publish(contracts.agentStatus, params, report.value, options)
            : await this.publisher.publish(contracts.agentFacts, params, report.value, options);
      return { duplicate: ack.duplicate };
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }
}

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BusConnection } from '@muster/messaging';

/**
 * What gateway instances tell each other on core NATS (fire and forget: the database and the
 * presence bucket are the truth, and each signal has a backstop):
 * - `muster.gateway.<instanceId>.deliver` {agentId}: commands are waiting for an agent this
 *   instance holds (backstop: every connect sends all pending commands);
 * - `muster.gateway.control` to every instance: a connection elsewhere superseded this agent's,
 *   or credentials were revoked (backstop: each instance polls recent revocations).
 */
export type ControlSignal =
  | { type: 'connected'; agentId: string; instanceId: string; connectionId: string }
  | { type: 'revoked'; agentIds: string[]; credentialIds: string[] };

export interface DeliverSignal {
  agentId: string;
}

const CONTROL = 'muster.gateway.control';
const deliverSubject = (instanceId: string) => `muster.gateway.${instanceId}.deliver`;

@Injectable()
export class GatewaySignals implements OnApplicationShutdown {
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  constructor(@Inject(BusConnection) private readonly bus: BusConnection) {}

  control(signal: ControlSignal): void {
    this.bus.nc.publish(CONTROL, JSON.stringify(signal));
  }

  deliver(instanceId: string, signal: DeliverSignal): void {
    this.bus.nc.publish(deliverSubject(instanceId), JSON.stringify(signal));
  }

  /** Listens as `instanceId`; resolves once the server has the subscriptions. */
  async listen(
    instanceId: string,
    onControl: (signal: ControlSignal) => void,
    onDeliver: (signal: DeliverSignal) => void,
  ): Promise<void> {
    const parse = <T>(data: Uint8Array, then: (value: T) => void) => {
      try {
        then(JSON.parse(new TextDecoder().decode(data)) as T);
      } catch {
        // Only gateway instances may publish here (bus permissions); a bad one is ignored.
      }
    };
    this.subscriptions.push(
      this.bus.nc.subscribe(CONTROL, {
        callback: (err, msg) => {
          if (!err) parse(msg.data, onControl);
        },
      }),
      this.bus.nc.subscribe(deliverSubject(instanceId), {
        callback: (err, msg) => {
          if (!err) parse(msg.data, onDeliver);
        },
      }),
    );
    await this.bus.nc.flush();
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }
}

import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { AgentStatusSchema, DeploymentPhase, encode } from '@muster/contracts';
import type { BusConnection } from '@muster/messaging';

/**
 * The peer: the same number of status events published straight into AGENT_TELEMETRY from one
 * client, `window` PubAcks awaited at once (the gateway's own in-flight bound), each with its
 * de-duplication id — the floor of what JetStream takes on this machine, with no WebSocket, no
 * agent and no gateway in between.
 */
export async function peerPublish(
  bus: BusConnection,
  siteId: string,
  agents: readonly string[],
  events: number,
  window = 2_000,
): Promise<{ seconds: number; eventsPerSecond: number }> {
  const deploymentId = '6f1a7c2e-9d4b-4f3a-8c5e-2b7d9e1f0a3c';
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < events) {
      const i = next++;
      const agentId = agents[i % agents.length]!;
      const seq = BigInt(Math.floor(i / agents.length) + 1);
      const data = encode(
        AgentStatusSchema,
        create(AgentStatusSchema, {
          agentId,
          seq,
          deploymentId,
          phase: DeploymentPhase.DOWNLOADING,
          progressPercent: 50,
          at: timestampNow(),
        }),
      );
      await bus.js.publish(`muster.site.${siteId}.agent.${agentId}.status.v1`, data, {
        msgID: `${agentId}:${seq}`,
      });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, eventsPerSecond: events / seconds };
}

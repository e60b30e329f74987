import type { DescMessage } from '@bufbuild/protobuf';
import { defineMessage, type MessageContract, type MessageKind, type StreamName } from './contract.js';
import {
  AgentCommandSchema,
  AgentFactsSchema,
  AgentHeartbeatSchema,
  AgentStatusSchema,
  DeploymentStateChangedSchema,
  ImageBuildCompletedSchema,
  ImageBuildFailedSchema,
  ImageBuildProgressSchema,
  ImagePublishedSchema,
  MachineDiscoveredSchema,
  MachineUpdatedSchema,
  RolloutStateChangedSchema,
} from './gen/index.js';

/** The `{token}` names in a subject template, as a union of string literals. */
type TokensOf<P extends string> = P extends `${string}{${infer T}}${infer Rest}` ? T | TokensOf<Rest> : never;

/** defineMessage with the subject's tokens inferred, so `subject({...})` is checked. */
function row<S extends DescMessage, const P extends string>(spec: {
  name: string;
  kind: MessageKind;
  schema: S;
  stream: StreamName;
  subject: P;
}): MessageContract<S, TokensOf<P>> {
  return defineMessage<S, TokensOf<P>>(spec);
}

/**
 * Every message on the bus: the one table of names, subjects, CloudEvents types, payloads
 * and streams. A subject is `muster.<area>[.{siteId}[.{agentId}]].<entity>.<event>.v<major>`:
 * the name with the tokens that scope a permission to one site or one agent.
 */
export const contracts = {
  machineDiscovered: row({
    name: 'inventory.machine.discovered.v1',
    kind: 'event',
    schema: MachineDiscoveredSchema,
    stream: 'INVENTORY',
    subject: 'muster.inventory.{siteId}.machine.discovered.v1',
  }),
  machineUpdated: row({
    name: 'inventory.machine.updated.v1',
    kind: 'event',
    schema: MachineUpdatedSchema,
    stream: 'INVENTORY',
    subject: 'muster.inventory.{siteId}.machine.updated.v1',
  }),
  agentHeartbeat: row({
    name: 'agent.heartbeat.v1',
    kind: 'event',
    schema: AgentHeartbeatSchema,
    stream: 'AGENT_TELEMETRY',
    subject: 'muster.agent.{siteId}.{agentId}.heartbeat.v1',
  }),
  agentStatus: row({
    name: 'agent.status.v1',
    kind: 'event',
    schema: AgentStatusSchema,
    stream: 'AGENT_TELEMETRY',
    subject: 'muster.agent.{siteId}.{agentId}.status.v1',
  }),
  agentFacts: row({
    name: 'agent.facts.v1',
    kind: 'event',
    schema: AgentFactsSchema,
    stream: 'AGENT_TELEMETRY',
    subject: 'muster.agent.{siteId}.{agentId}.facts.v1',
  }),
  agentCommand: row({
    name: 'agent.command.v1',
    kind: 'command',
    schema: AgentCommandSchema,
    stream: 'AGENT_COMMANDS',
    subject: 'muster.agent.{siteId}.{agentId}.command.v1',
  }),
  imageBuildProgress: row({
    name: 'image.build.progress.v1',
    kind: 'event',
    schema: ImageBuildProgressSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.progress.v1',
  }),
  imageBuildCompleted: row({
    name: 'image.build.completed.v1',
    kind: 'event',
    schema: ImageBuildCompletedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.completed.v1',
  }),
  imageBuildFailed: row({
    name: 'image.build.failed.v1',
    kind: 'event',
    schema: ImageBuildFailedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.failed.v1',
  }),
  imagePublished: row({
    name: 'image.release.published.v1',
    kind: 'event',
    schema: ImagePublishedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.release.published.v1',
  }),
  rolloutStateChanged: row({
    name: 'rollout.rollout.changed.v1',
    kind: 'event',
    schema: RolloutStateChangedSchema,
    stream: 'ROLLOUTS',
    subject: 'muster.rollout.rollout.changed.v1',
  }),
  deploymentStateChanged: row({
    name: 'rollout.deployment.changed.v1',
    kind: 'event',
    schema: DeploymentStateChangedSchema,
    stream: 'ROLLOUTS',
    subject: 'muster.rollout.{siteId}.deployment.changed.v1',
  }),
} as const;

export type ContractKey = keyof typeof contracts;

import type { DescMessage } from '@bufbuild/protobuf';
import { defineMessage, type MessageContract, type MessageKind, type StreamName } from './contract.js';
import {
  AgentFactsSchema,
  AgentHeartbeatSchema,
  AgentStatusSchema,
  AssignmentRuleChangedSchema,
  DeploymentStateChangedSchema,
  GroupChangedSchema,
  ImageBuildCompletedSchema,
  ImageBuildFailedSchema,
  ImageBuildProgressSchema,
  ImagePublishedSchema,
  MachineDiscoveredSchema,
  MachineUpdatedSchema,
  ProfileChangedSchema,
  RolloutStateChangedSchema,
  SignedAgentCommandSchema,
  SiteCacheAnnouncedSchema,
  SiteCachePrefetchRequestedSchema,
  SiteChangedSchema,
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
  orderedBy: 'revision' | 'seq' | 'once';
}): MessageContract<S, TokensOf<P>> {
  return defineMessage<S, TokensOf<P>>(spec);
}

/**
 * Every message on the bus: the one table of names, subjects, CloudEvents types, payloads
 * and streams. Subjects put every id at a fixed position after a fixed word, so no id can be
 * mistaken for a word of another subject:
 *
 * - site-scoped: `muster.site.{siteId}.<area>.<entity>[.{entityId}].<event>.v<major>`, and per
 *   agent `muster.site.{siteId}.agent.{agentId}.<kind>.v<major>` — `muster.site.S.>` is exactly
 *   one site, `muster.site.S.agent.A.>` exactly one agent;
 * - fleet-wide: `muster.<area>.<entity>[.{entityId}].<event>.v<major>`, where `<area>` is never
 *   `site` (nor `query`, `deadletter`).
 *
 * The entity id (machine, build, release, rollout) is a token, so a consumer or a permission can
 * narrow to one entity. The name is the subject without `muster.`, `site.{siteId}.` and tokens.
 */
export const contracts = {
  machineDiscovered: row({
    name: 'inventory.machine.discovered.v1',
    kind: 'event',
    schema: MachineDiscoveredSchema,
    stream: 'INVENTORY',
    subject: 'muster.site.{siteId}.inventory.machine.{machineId}.discovered.v1',
    orderedBy: 'revision',
  }),
  machineUpdated: row({
    name: 'inventory.machine.updated.v1',
    kind: 'event',
    schema: MachineUpdatedSchema,
    stream: 'INVENTORY',
    subject: 'muster.site.{siteId}.inventory.machine.{machineId}.updated.v1',
    orderedBy: 'revision',
  }),
  siteChanged: row({
    name: 'inventory.site.changed.v1',
    kind: 'event',
    schema: SiteChangedSchema,
    stream: 'INVENTORY',
    subject: 'muster.site.{siteId}.inventory.site.changed.v1',
    orderedBy: 'revision',
  }),
  groupChanged: row({
    name: 'inventory.group.changed.v1',
    kind: 'event',
    schema: GroupChangedSchema,
    stream: 'INVENTORY',
    subject: 'muster.inventory.group.{groupId}.changed.v1',
    orderedBy: 'revision',
  }),
  profileChanged: row({
    name: 'inventory.profile.changed.v1',
    kind: 'event',
    schema: ProfileChangedSchema,
    stream: 'INVENTORY',
    subject: 'muster.inventory.profile.{profileId}.changed.v1',
    orderedBy: 'revision',
  }),
  assignmentRuleChanged: row({
    name: 'inventory.rule.changed.v1',
    kind: 'event',
    schema: AssignmentRuleChangedSchema,
    stream: 'INVENTORY',
    subject: 'muster.inventory.rule.{ruleId}.changed.v1',
    orderedBy: 'revision',
  }),
  agentHeartbeat: row({
    name: 'agent.heartbeat.v1',
    kind: 'state',
    schema: AgentHeartbeatSchema,
    stream: 'KV_AGENT_HEARTBEATS',
    // The key `site.<siteId>.agent.<agentId>` of the AGENT_HEARTBEATS bucket: the last beat only.
    subject: '$KV.AGENT_HEARTBEATS.site.{siteId}.agent.{agentId}',
    orderedBy: 'seq',
  }),
  agentStatus: row({
    name: 'agent.status.v1',
    kind: 'event',
    schema: AgentStatusSchema,
    stream: 'AGENT_TELEMETRY',
    subject: 'muster.site.{siteId}.agent.{agentId}.status.v1',
    orderedBy: 'seq',
  }),
  agentFacts: row({
    name: 'agent.facts.v1',
    kind: 'event',
    schema: AgentFactsSchema,
    stream: 'AGENT_TELEMETRY',
    subject: 'muster.site.{siteId}.agent.{agentId}.facts.v1',
    orderedBy: 'seq',
  }),
  agentCommand: row({
    name: 'agent.command.v1',
    kind: 'command',
    // An AgentCommand signed by its issuer; the gateway forwards it to the agent byte for byte.
    schema: SignedAgentCommandSchema,
    stream: 'AGENT_COMMANDS',
    subject: 'muster.site.{siteId}.agent.{agentId}.command.v1',
    orderedBy: 'once',
  }),
  imageBuildProgress: row({
    name: 'image.build.progress.v1',
    kind: 'event',
    schema: ImageBuildProgressSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.{buildId}.progress.v1',
    orderedBy: 'revision',
  }),
  imageBuildCompleted: row({
    name: 'image.build.completed.v1',
    kind: 'event',
    schema: ImageBuildCompletedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.{buildId}.completed.v1',
    orderedBy: 'revision',
  }),
  imageBuildFailed: row({
    name: 'image.build.failed.v1',
    kind: 'event',
    schema: ImageBuildFailedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.build.{buildId}.failed.v1',
    orderedBy: 'revision',
  }),
  imagePublished: row({
    name: 'image.release.published.v1',
    kind: 'event',
    schema: ImagePublishedSchema,
    stream: 'IMAGES',
    subject: 'muster.image.release.{releaseId}.published.v1',
    orderedBy: 'once',
  }),
  rolloutStateChanged: row({
    name: 'rollout.rollout.changed.v1',
    kind: 'event',
    schema: RolloutStateChangedSchema,
    stream: 'ROLLOUTS',
    subject: 'muster.rollout.rollout.{rolloutId}.changed.v1',
    orderedBy: 'revision',
  }),
  deploymentStateChanged: row({
    name: 'rollout.deployment.changed.v1',
    kind: 'event',
    schema: DeploymentStateChangedSchema,
    stream: 'ROLLOUTS',
    subject: 'muster.site.{siteId}.rollout.deployment.{machineId}.changed.v1',
    orderedBy: 'revision',
  }),
  siteCacheAnnounced: row({
    name: 'sitecache.announced.v1',
    kind: 'event',
    schema: SiteCacheAnnouncedSchema,
    stream: 'SITE_CACHES',
    subject: 'muster.sitecache.{cacheId}.announced.v1',
    orderedBy: 'seq',
  }),
  siteCachePrefetchRequested: row({
    name: 'sitecache.prefetch.requested.v1',
    kind: 'command',
    schema: SiteCachePrefetchRequestedSchema,
    stream: 'SITE_CACHES',
    subject: 'muster.site.{siteId}.sitecache.prefetch.{releaseId}.requested.v1',
    orderedBy: 'once',
  }),
} as const;

export type ContractKey = keyof typeof contracts;

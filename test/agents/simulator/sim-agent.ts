import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  AgentConnection,
  AgentJournal,
  AgentSession,
  enroll,
  MemoryStateStore,
  type AgentCredentials,
  type AgentKey,
  type FlowOptions,
  type CommandDrop,
  type ReportKind,
  type ReportOutcome,
  type RandomSource,
} from '@muster/agent-client';
import {
  DeploymentPhase,
  HardwareFactsSchema,
  OperatingSystemSchema,
  type AgentCommand,
  type HardwareIdentity,
} from '@muster/contracts';

export const SIM_AGENT_VERSION = '0.0.0-sim';

/** Everything one simulated agent did, for the checker. */
export interface SimAgentRecord {
  readonly agentId: string;
  readonly siteId: string;
  /** Every seq the agent gave a report, with its kind. */
  readonly sent: Map<bigint, ReportKind>;
  /** How the gateway settled each seq. */
  readonly settled: Map<bigint, ReportOutcome['outcome']>;
  /** Command ids in the order the agent ran them (a repeat would show twice). */
  readonly commandsRun: string[];
  readonly commandsDropped: CommandDrop[];
  /** DesiredState frames received (one per connect). */
  desiredStates: number;
}

/** What a test or bench watches as it happens (the record keeps the rest). */
export interface SimAgentHooks {
  onReport?(agent: SimAgent, seq: bigint, kind: ReportKind): void;
  onSettled?(agent: SimAgent, outcome: ReportOutcome): void;
  onCommand?(agent: SimAgent, command: AgentCommand): void;
}

export interface SimAgentConnectOptions {
  readonly urls: readonly string[];
  readonly firstUrl: number;
  /** Automatic heartbeat every this many ms; 0 = none. */
  readonly heartbeatMs: number;
  readonly random?: RandomSource;
}

/** One agent over the real protocol: the library's session and connection, in memory. */
export class SimAgent {
  readonly record: SimAgentRecord;
  readonly session: AgentSession;
  private connection: AgentConnection | undefined;
  private readonly deploymentId = randomUUID();
  private phase = 0;
  stopReason: string | undefined;

  private constructor(
    readonly key: AgentKey,
    readonly credentials: AgentCredentials,
    readonly identity: HardwareIdentity,
    readonly localAddress: string | undefined,
    journal: AgentJournal,
    hooks: SimAgentHooks,
    flow: FlowOptions = {},
  ) {
    const record: SimAgentRecord = {
      agentId: credentials.agentId,
      siteId: credentials.siteId,
      sent: new Map(),
      settled: new Map(),
      commandsRun: [],
      commandsDropped: [],
      desiredStates: 0,
    };
    this.record = record;
    this.session = new AgentSession(
      { agentId: credentials.agentId, machineId: credentials.machineId, siteId: credentials.siteId },
      journal,
      credentials.commandKeys,
      {
        onReport: (seq, kind) => {
          record.sent.set(seq, kind);
          hooks.onReport?.(this, seq, kind);
        },
        onSettled: (outcome) => {
          record.settled.set(outcome.seq, outcome.outcome);
          hooks.onSettled?.(this, outcome);
        },
        onCommand: (command) => {
          record.commandsRun.push(command.commandId);
          hooks.onCommand?.(this, command);
        },
        onCommandDropped: (why) => void record.commandsDropped.push(why),
        onDesiredState: () => void record.desiredStates++,
      },
      undefined,
      flow,
    );
  }

  /** Enrolls over HTTP with a one-time bootstrap token, from `localAddress`. */
  static async enroll(options: {
    gatewayUrl: string;
    bootstrapToken: string;
    identity: HardwareIdentity;
    localAddress?: string;
    hooks?: SimAgentHooks;
    flow?: FlowOptions;
  }): Promise<SimAgent> {
    const { key, credentials } = await enroll(options.gatewayUrl, options.bootstrapToken, options.identity, {
      agentVersion: SIM_AGENT_VERSION,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const journal = await AgentJournal.open(new MemoryStateStore(), { outboxCapacity: 10_000 });
    return new SimAgent(
      key,
      credentials,
      options.identity,
      options.localAddress,
      journal,
      options.hooks ?? {},
      options.flow,
    );
  }

  /** An agent enrolled before (its key and credential kept): what a restarted agent is. */
  static async fromCredentials(options: {
    key: AgentKey;
    credentials: AgentCredentials;
    identity: HardwareIdentity;
    localAddress?: string;
    hooks?: SimAgentHooks;
    flow?: FlowOptions;
  }): Promise<SimAgent> {
    const journal = await AgentJournal.open(new MemoryStateStore(), { outboxCapacity: 10_000 });
    return new SimAgent(
      options.key,
      options.credentials,
      options.identity,
      options.localAddress,
      journal,
      options.hooks ?? {},
      options.flow,
    );
  }

  get agentId(): string {
    return this.credentials.agentId;
  }

  get connectionStats() {
    return this.connection?.stats;
  }

  /** The gateway URL the agent is on (or will try next). */
  get gatewayUrl(): string | undefined {
    return this.connection?.currentUrl;
  }

  connect(options: SimAgentConnectOptions): void {
    this.connection = new AgentConnection({
      urls: options.urls,
      firstUrl: options.firstUrl,
      credential: () => this.credentials.credential,
      key: this.key,
      session: this.session,
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
      ...(options.random ? { random: options.random } : {}),
      // Short back-off: the simulator's gateways are on this machine.
      backoff: { baseMs: 200, capMs: 5_000 },
      ...(options.heartbeatMs > 0
        ? {
            heartbeatIntervalMs: options.heartbeatMs,
            heartbeat: () => ({ sentAt: timestampNow(), agentVersion: SIM_AGENT_VERSION, uptimeSeconds: 1n }),
          }
        : {}),
      onStop: (reason, detail) => (this.stopReason = `${reason}: ${detail}`),
    });
    this.connection.start();
  }

  heartbeat(): Promise<ReportOutcome> {
    return this.session.heartbeat({
      sentAt: timestampNow(),
      agentVersion: SIM_AGENT_VERSION,
      uptimeSeconds: 1n,
    });
  }

  status(): Promise<ReportOutcome> {
    const phases = [
      DeploymentPhase.DOWNLOADING,
      DeploymentPhase.VERIFYING,
      DeploymentPhase.STAGED,
      DeploymentPhase.REBOOTING,
      DeploymentPhase.HEALTH_CHECKING,
    ];
    const phase = phases[this.phase++ % phases.length]!;
    return this.session.status({
      deploymentId: this.deploymentId,
      phase,
      progressPercent: 50,
      at: timestampNow(),
    });
  }

  facts(): Promise<ReportOutcome> {
    return this.session.facts({
      identity: this.identity,
      hardware: create(HardwareFactsSchema, {
        cpu: { model: 'Simulated CPU', architecture: 'amd64', sockets: 1, cores: 4, threads: 8 },
        memoryBytes: 8n * 1024n ** 3n,
      }),
      os: create(OperatingSystemSchema, {
        id: 'debian',
        name: 'Debian GNU/Linux',
        version: '13',
        kernel: '6.12.0',
      }),
      collectedAt: timestampNow(),
    });
  }

  /** All reports settled. */
  get drained(): boolean {
    return this.session.pendingCount === 0;
  }

  async stop(): Promise<void> {
    await this.connection?.stop();
  }
}

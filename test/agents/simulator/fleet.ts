import type { FlowOptions } from '@muster/agent-client';
import { operatorFetch, type OperatorTarget } from '@muster/runtime/testing';
import { inPool } from './pool.js';
import { SimAgent, type SimAgentHooks } from './sim-agent.js';
import { simIdentity } from './sim-identity.js';

export interface FleetOptions {
  /** Gateway base URLs; agent i starts on gateways[i % n] and moves on in turn. */
  readonly gateways: readonly string[];
  /** An operator API token, for the gateway's bootstrap-token route. */
  readonly operatorToken: string;
  readonly siteId: string;
  readonly count: number;
  /** Source addresses, spread round-robin over the agents (see loopbackSources). */
  readonly sources: readonly string[];
  /** Distinguishes this run's machines from any other run's. */
  readonly run: string;
  readonly enrollConcurrency?: number;
  readonly hooks?: SimAgentHooks;
  /** Each agent's report rate and window (the library's defaults otherwise). */
  readonly flow?: FlowOptions;
}

/** Issues `count` one-time bootstrap tokens through the gateway's operator route. */
export async function issueBootstrapTokens(
  operator: OperatorTarget,
  siteId: string,
  count: number,
  concurrency = 16,
): Promise<string[]> {
  return inPool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async () => {
      const res = await operatorFetch(operator, '/v1/bootstrap-tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ siteId, expiresInSeconds: 3600, note: 'agent simulator' }),
      });
      if (res.status !== 201) throw new Error(`bootstrap token: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
  );
}

/**
 * N simulated agents: each enrolled with its own bootstrap token over the real enrollment route,
 * from one of several source addresses, then connected over the real WebSocket protocol.
 */
export class Fleet {
  private constructor(
    readonly options: FleetOptions,
    readonly agents: readonly SimAgent[],
  ) {}

  static async enroll(options: FleetOptions): Promise<Fleet> {
    const gateway = options.gateways[0]!;
    const tokens = await issueBootstrapTokens(
      { url: gateway, token: options.operatorToken },
      options.siteId,
      options.count,
    );
    const agents = await inPool(tokens, options.enrollConcurrency ?? 16, (token, i) =>
      SimAgent.enroll({
        gatewayUrl: options.gateways[i % options.gateways.length]!,
        bootstrapToken: token,
        identity: simIdentity(options.run, i),
        localAddress: options.sources[i % options.sources.length]!,
        ...(options.hooks ? { hooks: options.hooks } : {}),
        ...(options.flow ? { flow: options.flow } : {}),
      }),
    );
    return new Fleet(options, agents);
  }

  /**
   * Connects every agent, at most `concurrency` handshakes at once, and resolves once each was
   * welcomed (or rejects after `timeoutMs`).
   */
  async connect(options: { heartbeatMs: number; timeoutMs?: number; concurrency?: number }): Promise<void> {
    await withTimeout(
      inPool(this.agents, options.concurrency ?? 64, async (agent, i) => {
        agent.connect({
          urls: this.options.gateways,
          firstUrl: i,
          heartbeatMs: options.heartbeatMs,
        });
        await agent.session.welcome();
      }),
      options.timeoutMs ?? 60_000,
      () => `${this.agents.filter((a) => !a.session.isWelcomed).length} agents not welcomed`,
    );
  }

  /** Waits until every report of every agent was settled by a gateway. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.agents.some((a) => !a.drained)) {
      if (Date.now() > deadline) {
        const left = this.agents.reduce((n, a) => n + a.session.pendingCount, 0);
        throw new Error(`${left} reports still unacknowledged after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await inPool(this.agents, 256, (a) => a.stop());
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

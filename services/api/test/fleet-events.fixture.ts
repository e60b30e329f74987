import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  AgentStatusSchema,
  contracts,
  DeploymentPhase,
  MachineState,
  MachineUpdatedSchema,
} from '@muster/contracts';
import { EventPublisher, type BusConnection } from '@muster/messaging';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName, type ServerEndpoints } from '@muster/testing';
import { apiService } from '../src/service.entry.js';

/** The api on a bus of its own (so a replay sees only this file's events), webhooks sped up. */
export async function startApi(
  nats: string,
  servers: ServerEndpoints,
  schema = uniqueName('api'),
  extra: Record<string, string> = {},
): Promise<RunningService> {
  return startServiceInProcess(apiService, {
    MUSTER_NATS_URL: nats,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: schema,
    MUSTER_WEBHOOKS_ALLOWED_NETWORKS: '127.0.0.0/8',
    MUSTER_WEBHOOKS_RETRY_BASE_MS: '20',
    MUSTER_WEBHOOKS_RETRY_MAX_MS: '100',
    MUSTER_WEBHOOKS_POLL_MS: '25',
    MUSTER_WEBHOOKS_TIMEOUT_MS: '2000',
    MUSTER_WEBHOOKS_MAX_ATTEMPTS: '3',
    ...extra,
  });
}

/** Publishes fleet events as their producers would (CloudEvents headers, protobuf body). */
export class FleetPublisher {
  private readonly publisher: EventPublisher;
  private revision = 0;
  private seq = 0;

  constructor(bus: BusConnection) {
    this.publisher = new EventPublisher(bus, '/muster/test');
  }

  /** `inventory.machine.updated` at a site; resolves with the event id. */
  async machineUpdated(siteId: string, machineId: string = randomUUID()): Promise<string> {
    const id = randomUUID();
    await this.publisher.publish(
      contracts.machineUpdated,
      { siteId, machineId },
      create(MachineUpdatedSchema, {
        machineId,
        siteId,
        state: MachineState.DISCOVERED,
        revision: BigInt(++this.revision),
        changedFields: ['state'],
        updatedAt: timestampNow(),
      }),
      { id, about: machineId },
    );
    return id;
  }

  /** `agent.status` of an agent at a site; resolves with the event id. */
  async agentStatus(siteId: string, agentId = 'agent-1'): Promise<string> {
    const id = randomUUID();
    await this.publisher.publish(
      contracts.agentStatus,
      { siteId, agentId },
      create(AgentStatusSchema, {
        agentId,
        seq: BigInt(++this.seq),
        deploymentId: randomUUID(),
        phase: DeploymentPhase.DOWNLOADING,
        at: timestampNow(),
      }),
      { id },
    );
    return id;
  }
}

export interface SseMessage {
  id: string;
  event: { id: string; type: string; subject?: string; data: Record<string, unknown> } & Record<
    string,
    unknown
  >;
}

/** An open `GET /v1/events`: the events read so far, and a way to wait for more. */
export interface SseSession {
  status: number;
  messages: SseMessage[];
  /** Comment lines seen (heartbeats). */
  comments: string[];
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

export async function openEvents(
  api: RunningService,
  query: string,
  headers: Record<string, string> = {},
): Promise<SseSession> {
  const abort = new AbortController();
  const res = await operatorFetch(api, `/v1/events${query}`, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: (() => void)[] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            let id = '';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0)
              messages.push({ id, event: JSON.parse(data.join('\n')) as SseMessage['event'] });
            waiters.splice(0).forEach((w) => w());
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: res.status,
    messages,
    comments,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${count} events; got ${messages.length}`);
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return messages.slice(0, count);
    },
    close: () => abort.abort(),
  };
}

/** A webhook receiver on 127.0.0.1 that answers each POST as `answer` says and records it. */
export async function startReceiver(answer: (n: number) => number = () => 200): Promise<{
  url: string;
  received: { headers: IncomingMessage['headers']; body: string; status: number }[];
  close: () => Promise<void>;
}> {
  const received: { headers: IncomingMessage['headers']; body: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer(received.length + 1);
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { ownBus, readSubject } from '@muster/messaging/testing';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';
import { MachinesRepository } from '../src/machines/machines.repository.js';
import { inventoryService } from '../src/service.entry.js';

/** A history entry as `GET /v1/machines/{id}/history` returns it. */
export interface HistoryJson {
  eventId: string;
  kind: string;
  actor: string;
  revision: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  detail: { reason?: string };
}

/** What tests read of a response body: the API's fields and a problem's, each maybe absent. */
export interface ApiBody {
  [field: string]: unknown;
  detail?: string;
  'invalid-params'?: { name: string; in: string; reason: string }[];
  next?: string;
  revision?: string;
  state?: string;
  enabled?: boolean;
  machineId?: string;
  siteId?: string;
  agentId?: string;
  hostname?: string;
  pinned?: boolean;
  labels?: Record<string, string>;
  lastSeen?: string;
  lastStatus?: Record<string, unknown> & { seq?: string };
  currentReleaseId?: string;
  identity?: { smbiosUuid?: string; serial?: string; macs?: string[] };
  hardware?: { cpu?: { cores?: number } };
  sites?: { siteId: string }[];
  machines?: { machineId: string }[];
  history?: HistoryJson[];
}

export interface Inventory {
  service: RunningService;
  bus: BusConnection;
  ds: MachinesRepository['ds'];
  /** An operator request with a JSON body; the response's status and JSON. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: ApiBody }>;
  /** The messages stored on one subject of a stream, decoded. */
  read<S extends DescMessage>(stream: string, subject: string, schema: S): Promise<MessageShape<S>[]>;
  close(): Promise<void>;
}

/**
 * Inventory in this process on the run's PostgreSQL, with a schema of its own, and on a
 * nats-server of the test file's own when `ownNats` (its durable consumers and its query
 * queue group then see no other test's inventory).
 */
export async function startInventory(options: { ownNats?: boolean } = {}): Promise<Inventory> {
  const servers = inject('servers');
  const own = options.ownNats ? await ownBus() : undefined;
  const natsUrl = own?.server.url ?? servers.nats.url;
  // Every stream, those agent-gateway owns too (inventory waits for them at start).
  const bus =
    own?.bus ?? (await BusConnection.connect({ servers: [natsUrl], name: 'inventory-test', streams }));
  const service = await startServiceInProcess(inventoryService, {
    MUSTER_NATS_URL: natsUrl,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: uniqueName('inv'),
  });
  return {
    service,
    bus,
    ds: service.app.get(MachinesRepository).ds,
    call: async (method, path, body, headers = {}) => {
      const res = await operatorFetch(service, path, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as ApiBody) : {} };
    },
    read: async (stream, subject, schema) =>
      (await readSubject(bus, stream, subject)).map((m) => fromBinary(schema, m.data)),
    close: async () => {
      await service.close();
      if (own) await own.close();
      else await bus.close();
    },
  };
}

/**
 * Creates every stream of the contracts, those of other producers too: inventory waits at start
 * for AGENT_TELEMETRY and KV_AGENT_HEARTBEATS, which agent-gateway creates.
 */
export async function ensureAllStreams(): Promise<void> {
  const bus = await BusConnection.connect({
    servers: [inject('servers').nats.url],
    name: 'inventory-test',
    streams,
  });
  await bus.close();
}

/** An id of its own for one test (sites, groups, … share the run's INVENTORY stream). */
export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

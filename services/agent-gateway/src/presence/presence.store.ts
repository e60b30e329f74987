import { Inject, Injectable } from '@nestjs/common';
import { streams } from '@muster/contracts';
import { BusConnection, KeyValueBucket } from '@muster/messaging';

/** Who holds an agent's connection: the value of `site.<siteId>.agent.<agentId>` in AGENT_PRESENCE. */
export interface Presence {
  instanceId: string;
  connectionId: string;
  connectedAt: string;
}

const PRESENCE = streams.find((s) => s.name === 'KV_AGENT_PRESENCE')!;

/**
 * The presence registry in the AGENT_PRESENCE bucket, whose keys age out 60 s after their last
 * write: an instance refreshes its agents' keys (PresenceRefresher), so the keys of an instance
 * that died without a word are gone within a minute.
 */
@Injectable()
export class PresenceStore {
  private readonly kv: KeyValueBucket;

  constructor(@Inject(BusConnection) bus: BusConnection) {
    this.kv = new KeyValueBucket(bus, PRESENCE);
  }

  static key(siteId: string, agentId: string): string {
    return `site.${siteId}.agent.${agentId}`;
  }

  /** Writes the holder; resolves with the key's revision, which a later delete names. */
  put(siteId: string, agentId: string, presence: Presence): Promise<number> {
    return this.kv.put(
      PresenceStore.key(siteId, agentId),
      new TextEncoder().encode(JSON.stringify(presence)),
    );
  }

  async get(siteId: string, agentId: string): Promise<Presence | undefined> {
    const entry = await this.kv.get(PresenceStore.key(siteId, agentId));
    return entry && (JSON.parse(new TextDecoder().decode(entry.value)) as Presence);
  }

  /** Removes the key unless another connection wrote it since `revision`. */
  remove(siteId: string, agentId: string, revision: number): Promise<boolean> {
    return this.kv.delete(PresenceStore.key(siteId, agentId), revision);
  }
}
